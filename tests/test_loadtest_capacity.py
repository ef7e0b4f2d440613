"""`make loadtest --steps`: the capacity model names the largest user count at which that step and
every smaller one met the targets, never a larger step that happened to pass after a miss."""

from loadtest import run


def step(users: int, met: bool) -> dict:
    return {
        "users": users,
        "mix": run.mix(users),
        "rps": users / 8,
        "rps_per_core": users / 16,
        "p95_pages_ms": 300 if met else 600,
        "p95_api_ms": 100,
        "total_requests": 1000,
        "total_failures": 0,
        "all_targets_met": met,
        "missed": [] if met else ["page: dashboard"],
        "run_time": "4m",
    }


def test_the_capacity_stops_at_the_first_step_that_missed(tmp_path):
    model = run.capacity(tmp_path, [step(50, True), step(100, True), step(125, False), step(150, True)])
    assert model["largest_user_count_meeting_targets"] == 100
    text = (tmp_path / "capacity.md").read_text()
    assert "**100**" in text and "the step of 125 users missed a target" in text
    assert "one run does not place the limit" in text


def test_no_capacity_when_the_smallest_step_missed(tmp_path):
    model = run.capacity(tmp_path, [step(100, False), step(125, True)])
    assert model["largest_user_count_meeting_targets"] is None
    assert "The smallest step (100 users) missed a target" in (tmp_path / "capacity.md").read_text()


def test_every_step_met(tmp_path):
    model = run.capacity(tmp_path, [step(25, True), step(50, True)])
    assert model["largest_user_count_meeting_targets"] == 50
    assert "capacity is above the largest step" in (tmp_path / "capacity.md").read_text()
