"""The platform's own number and date formats, over Django's (settings.FORMAT_MODULE_PATH): only
what Django's locale leaves out."""
