// Plotly's Hebrew locale, registered before any chart is drawn (templates/_charts_js.html).
// The date format (days, months, %d/%m/%Y) is plotly.js-locales 3.7.0's he.js (MIT, Plotly, Inc.),
// whose dictionary is empty: the toolbar, hover and message texts below are this project's, the
// strings of plotly.js 4.1.1's modebar (components/modebar/buttons.js) and notifications.
(function () {
  "use strict";
  if (typeof Plotly === "undefined") { return; }
  Plotly.register({
    moduleType: "locale",
    name: "he",
    dictionary: {
      "Autoscale": "התאמה אוטומטית",
      "Box Select": "בחירה במלבן",
      "Compare data on hover": "השוואת נתונים בריחוף",
      "Double-click on legend to isolate one trace": "לחיצה כפולה על המקרא מבודדת סדרה אחת",
      "Double-click to zoom back out": "לחיצה כפולה להקטנה חזרה",
      "Download plot": "הורדת התרשים",
      "Download plot as a PNG": "הורדת התרשים כקובץ PNG",
      "Download plot as JSON": "הורדת התרשים כקובץ JSON",
      "Draw circle": "ציור עיגול",
      "Draw closed freeform": "ציור צורה חופשית סגורה",
      "Draw line": "ציור קו",
      "Draw open freeform": "ציור צורה חופשית פתוחה",
      "Draw rectangle": "ציור מלבן",
      "Erase active shape": "מחיקת הצורה הפעילה",
      "Image download succeeded": "התמונה הורדה",
      "JSON download succeeded": "קובץ ה־JSON הורד",
      "Lasso Select": "בחירה בלסו",
      "Orbital rotation": "סיבוב מסלולי",
      "Pan": "הזזה",
      "Preparing image - this may take a few seconds": "מכין תמונה – הדבר עשוי להימשך כמה שניות",
      "Produced with Plotly.js": "נוצר באמצעות Plotly.js",
      "Reset": "איפוס",
      "Reset axes": "איפוס הצירים",
      "Reset camera to default": "איפוס המצלמה לברירת המחדל",
      "Reset camera to last save": "איפוס המצלמה לשמירה האחרונה",
      "Reset view": "איפוס התצוגה",
      "Reset views": "איפוס התצוגות",
      "Share chart...": "שיתוף התרשים…",
      "Show closest data on hover": "הצגת הנתון הקרוב בריחוף",
      "Snapshot succeeded": "התמונה נשמרה",
      "Sorry, there was a problem downloading your JSON file!": "אירעה תקלה בהורדת קובץ ה־JSON.",
      "Sorry, there was a problem downloading your image!": "אירעה תקלה בהורדת התמונה.",
      "Sorry, there was a problem downloading your snapshot!": "אירעה תקלה בהורדת התמונה.",
      "Taking snapshot - this may take a few seconds": "מכין תמונה – הדבר עשוי להימשך כמה שניות",
      "Toggle Spike Lines": "הצגת קווי עזר",
      "Toggle show closest data on hover": "הצגת הנתון הקרוב בריחוף",
      "Turntable rotation": "סיבוב כפטיפון",
      "Zoom": "זום",
      "Zoom in": "הגדלה",
      "Zoom out": "הקטנה",
      "trace": "סדרה",
      "max:": "מקסימום:",
      "mean:": "ממוצע:",
      "mean ± σ:": "ממוצע ± σ:",
      "median:": "חציון:",
      "min:": "מינימום:",
      "q1:": "רבעון 1:",
      "q3:": "רבעון 3:",
      "lower fence:": "גדר תחתונה:",
      "upper fence:": "גדר עליונה:",
      "kde:": "צפיפות:"
    },
    format: {
      days: ["ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת"],
      shortDays: ["א'", "ב'", "ג'", "ד'", "ה'", "ו'", "שבת"],
      months: [
        "ינואר", "פברואר", "מרץ", "אפריל", "מאי", "יוני",
        "יולי", "אוגוסט", "ספטמבר", "אוקטובר", "נובמבר", "דצמבר"
      ],
      shortMonths: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"],
      date: "%d/%m/%Y"
    }
  });
  // The page is Hebrew (this file is loaded on Hebrew pages only): every chart on it speaks Hebrew,
  // those drawn by other scripts (the collaboration network) included.
  Plotly.setPlotConfig({locale: "he"});
})();
