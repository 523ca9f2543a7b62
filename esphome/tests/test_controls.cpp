// Playback controls (controls.h, and firmware.h around them): one control out at a time and
// never beside a poll, presses combined while one is out, the feedback from press to the
// payload that shows the result, every answer of POST /control as a message, Retry-After
// obeyed, presses that can never be sent dropped, and all of it across the millis() wrap.
#include <cstdint>
#include <utility>

#include "firmware.h"
#include "host_test.h"

namespace host_test {

using namespace esphome::spotify_lcd;

namespace {

constexpr uint64_t WRAP = uint64_t{1} << 32;  // where millis() wraps, 49.7 days after boot
using Rows = std::vector<std::string>;

// A 16x2 firmware showing a track since `now`; its next poll is due 5 s later.
Firmware playing(uint64_t now, int cols = 16, int rows = 2, const std::string &source = "Server") {
  Firmware firmware(cols, rows, Timing{}, source, now);
  firmware.start_request(now);
  firmware.accept(now, track());
  return firmware;
}

std::string padded(const std::string &text, size_t cols = 16) { return text + std::string(cols - text.size(), ' '); }

// What is sent after the control that is out, each answered at once as done.
std::vector<ControlAction> sent_after(Controls &controls, uint64_t now) {
  std::vector<ControlAction> sent;
  ControlAction action;
  while (controls.in_flight() && sent.size() < 20) {
    controls.answered(now, ControlOutcome::DONE);
    now += CONTROL_GAP_MS;
    if (controls.start(now, action)) sent.push_back(action);
  }
  return sent;
}

void names_and_bodies_are_the_servers() {
  const char *names[] = {"play", "pause", "toggle", "next", "previous", "volume_up", "volume_down"};
  size_t index = 0;
  for (ControlAction action : CONTROL_ACTIONS) {
    ControlAction parsed;
    check(std::string(action_name(action)) == names[index] && parse_action(names[index], parsed) && parsed == action,
          std::string("action name ") + names[index]);
    bool plain = true;
    for (const char *c = action_name(action); *c != '\0'; c++) plain = plain && ((*c >= 'a' && *c <= 'z') || *c == '_');
    check(plain, std::string(names[index]) + " needs no escaping in a form body");
    index++;
  }
  check(index == 7, "seven actions, as src/spotifylcd/control.py has");
  ControlAction parsed = ControlAction::PLAY;
  for (const std::string &bad : {std::string(""), std::string("NEXT"), std::string("next "), std::string(" next"),
                                 std::string("shuffle"), std::string("next\0", 5), std::string("volume"),
                                 std::string("next&action=pause")})
    check(!parse_action(bad, parsed) && parsed == ControlAction::PLAY, "a lambda's unknown action is refused: " + bad);
  // The form as __init__.py escapes a hostile uid and key (check_configs.py compiles the real one).
  const std::string form = "uid=Zo%C3%AB+%22x%22+%5C+%26%3D%2B&key=k%22e%5Cy%0A%26uid%3Dadmin";
  check(control_body(form, ControlAction::NEXT) == form + "&action=next", "body: the form, then the action");
  check(control_body(form, ControlAction::VOLUME_DOWN).find("&action=volume_down") == form.size(),
        "body: the action is appended after the escaped fields, untouched");
}

void a_press_shows_at_once_and_goes_out_alone() {
  auto fw = playing(0);
  fw.press(100, ControlAction::NEXT);
  check(fw.frame(100, true) == Rows({"Paparazzi       ", padded(">> Next")}),
        "a press: feedback on the last row at once");
  ControlAction action;
  check(fw.start_control(100, action) && action == ControlAction::NEXT, "...and the control goes out");
  check(!fw.start_control(100, action), "one control out at a time");
  check(!fw.start_request(5000), "the poll waits while a control is out (one request task)");
  check(fw.frame(4000, true)[1] == padded(">> Next"), "a slow answer: the feedback stays until it");
  fw.control_answered(4000, ControlOutcome::DONE);
  check(fw.start_request(4000), "done: the poll goes at once, not at its hint");
  check(fw.frame(4100, true)[1] == padded(">> Next"), "the feedback stays until the poll's payload");
  fw.accept(4200, track("Bad Romance"));
  check(fw.frame(4200, true) == Rows({"Bad Romance     ", "Lady Gaga       "}), "the new track ends the feedback");

  // A poll out: the control waits for it, the feedback does not.
  check(fw.start_request(9200), "the next poll");
  fw.press(9300, ControlAction::PREVIOUS);
  check(!fw.start_control(9300, action), "the control waits while a poll is out");
  check(fw.frame(9300, true)[1] == padded("<< Previous"), "...its feedback is shown meanwhile");
  fw.accept(9800, track("Bad Romance"));
  check(fw.frame(9800, true)[1] == padded("<< Previous"), "a payload before the control's answer keeps the feedback");
  check(fw.start_control(9800, action) && action == ControlAction::PREVIOUS, "...then the control goes out");

  auto big = playing(0, 20, 4);
  big.press(50, ControlAction::VOLUME_UP);
  const auto rows = big.frame(50, true);
  check(rows[0] == padded("Paparazzi", 20) && rows[2] == padded("The Fame", 20) && rows[3] == padded("Volume +", 20),
        "20x4: the feedback takes row 4, the rest stays");
  auto offline = playing(0);
  offline.press(50, ControlAction::NEXT);
  check(offline.frame(50, false) == Rows({"Connecting WiFi ", padded("")}), "no Wi-Fi: its message, no feedback");
}

void presses_while_one_is_out_are_combined() {
  struct Case {
    const char *what;
    std::vector<ControlAction> pressed;  // after the first, which is out
    std::vector<ControlAction> sent;
  };
  using A = ControlAction;
  const Case cases[] = {
      {"next six times: three more, not five",
       {A::NEXT, A::NEXT, A::NEXT, A::NEXT, A::NEXT},
       {A::NEXT, A::NEXT, A::NEXT}},
      {"volume up twice, down once: one up", {A::VOLUME_UP, A::VOLUME_UP, A::VOLUME_DOWN}, {A::VOLUME_UP}},
      {"volume up then down: nothing", {A::VOLUME_UP, A::VOLUME_DOWN}, {}},
      {"play/pause twice: nothing", {A::TOGGLE, A::TOGGLE}, {}},
      {"play/pause three times: once", {A::TOGGLE, A::TOGGLE, A::TOGGLE}, {A::TOGGLE}},
      {"play then pause: pause", {A::PLAY, A::PAUSE}, {A::PAUSE}},
      {"play twice: once", {A::PLAY, A::PLAY}, {A::PLAY}},
      {"next then previous: the latest press", {A::NEXT, A::PREVIOUS}, {A::PREVIOUS}},
      {"volume twice then next: next", {A::VOLUME_UP, A::VOLUME_UP, A::NEXT}, {A::NEXT}},
  };
  for (const auto &c : cases) {
    Controls controls;
    ControlAction action;
    controls.press(0, A::NEXT);
    controls.start(0, action);
    uint64_t now = 10;
    for (A pressed : c.pressed) controls.press(now += 30, pressed);
    check(sent_after(controls, 1000) == c.sent, c.what);
  }
  // Two play/pause while a poll is out: neither is sent.
  Controls controls;
  ControlAction action;
  controls.press(0, A::TOGGLE);
  controls.press(120, A::TOGGLE);
  check(!controls.start(500, action), "play/pause twice before either went out: nothing to send");

  // After an answer, the next control waits CONTROL_GAP_MS: the poll goes between them.
  controls.press(1000, A::NEXT);
  controls.press(1010, A::NEXT);
  controls.start(1010, action);
  controls.answered(1500, ControlOutcome::DONE);
  check(!controls.start(1500, action) && !controls.start(1500 + CONTROL_GAP_MS - 1, action) &&
            controls.start(1500 + CONTROL_GAP_MS, action),
        "the next control waits 250 ms after an answer");
}

void the_feedback_lasts_until_the_result_shows() {
  ControlAction action;
  std::string text;
  Controls fast;  // answered and shown within 300 ms
  fast.press(0, ControlAction::NEXT);
  fast.start(0, action);
  fast.answered(100, ControlOutcome::DONE);
  fast.payload_arrived();
  check(fast.feedback(FEEDBACK_MIN_MS - 1, true, text) && text == ">> Next", "seen for at least 500 ms");
  check(!fast.feedback(FEEDBACK_MIN_MS, true, text), "...and no longer once the payload showed the result");

  Controls unchanged;  // volume: the payload does not change, nothing is pushed
  unchanged.press(0, ControlAction::VOLUME_DOWN);
  unchanged.start(0, action);
  unchanged.payload_arrived();  // out: not the result
  unchanged.answered(300, ControlOutcome::DONE);
  check(unchanged.feedback(300 + FEEDBACK_HOLD_MS - 1, true, text) && text == "Volume -",
        "no payload after the answer: held 2 s");
  check(!unchanged.feedback(300 + FEEDBACK_HOLD_MS, true, text), "...then gone");

  Controls toggle;
  toggle.press(0, ControlAction::TOGGLE);
  check(toggle.feedback(0, true, text) && text == "|| Pause", "play/pause while playing says pause");
  check(toggle.feedback(0, false, text) && text == "> Play", "...and play otherwise");
}

struct Answer {
  const char *what;
  bool connected;
  int status;
  bool ok;
  const char *error;
  const char *retry_after;
  Rows rows;  // empty: done
};

void every_answer_says_what_happened() {
  const Rows bad_request = {"Bad request     ", "(HTTP 400)      "};
  const Rows offline = {"Spotify offline ", "try again       "};
  const Rows no_controls = {"No controls on  ", "Server          "};
  const Answer answers[] = {
      {"done", true, 200, true, "", "", {}},
      {"200 without ok", true, 200, false, "", "", {"Bad answer from ", "Server          "}},
      {"no answer", false, 0, false, "", "", {"Server          ", "unreachable     "}},
      {"no_active_device", true, 404, false, "no_active_device", "", {"No active device", "start Spotify   "}},
      {"premium_required", true, 403, false, "premium_required", "", {"Spotify Premium ", "needed          "}},
      {"forbidden", true, 403, false, "forbidden", "", {"Spotify refused ", "(HTTP 403)      "}},
      {"rate_limited", true, 429, false, "rate_limited", "27", {"Rate limited    ", "wait 27s        "}},
      {"relink_for_controls", true, 403, false, "relink_for_controls", "", {"Re-link Spotify ", "for controls    "}},
      {"needs_relink", true, 403, false, "needs_relink", "", {"Re-link Spotify ", "Spotify LCD     "}},
      {"controls_not_allowed", true, 403, false, "controls_not_allowed", "", {"Controls need   ", "the device key  "}},
      {"missing_key", true, 401, false, "missing_key", "", {"Device key      ", "required (401)  "}},
      {"wrong_key", true, 403, false, "wrong_key", "", {"Wrong device key", "(HTTP 403)      "}},
      {"unknown_uid", true, 404, false, "unknown_uid", "", {"Unknown uid     ", "(HTTP 404)      "}},
      {"too_many_bad_keys", true, 429, false, "too_many_bad_keys", "120", {"Too many wrong  ", "keys: wait 2m   "}},
      {"spotify_unavailable", true, 502, false, "spotify_unavailable", "", offline},
      {"not_ready", true, 503, false, "not_ready", "30", offline},
      {"not_found (a server without /control)", true, 404, false, "not_found", "", no_controls},
      {"plain-text 404 (Home Assistant without /control)", true, 404, false, "", "", no_controls},
      {"method_not_allowed", true, 405, false, "method_not_allowed", "", no_controls},
      {"invalid_action", true, 400, false, "invalid_action", "", bad_request},
      {"missing_uid", true, 400, false, "missing_uid", "", bad_request},
      {"invalid_uid", true, 400, false, "invalid_uid", "", bad_request},
      {"invalid_encoding", true, 400, false, "invalid_encoding", "", bad_request},
      {"bad_request", true, 400, false, "bad_request", "", bad_request},
      {"incomplete_request", true, 400, false, "incomplete_request", "", bad_request},
      {"body_too_large", true, 413, false, "body_too_large", "", {"Bad request     ", "(HTTP 413)      "}},
      {"unsupported_media_type", true, 415, false, "unsupported_media_type", "",
       {"Bad request     ", "(HTTP 415)      "}},
      {"an error code from a newer server", true, 418, false, "teapot", "", {"Bad request     ", "(HTTP 418)      "}},
      {"internal_error", true, 500, false, "internal_error", "", {"Server error    ", "HTTP 500        "}},
      {"store_unavailable", true, 503, false, "store_unavailable", "5", {"Server error    ", "HTTP 503        "}},
      {"401 without JSON", true, 401, false, "", "", {"Device key      ", "required (401)  "}},
      {"429 without JSON or Retry-After", true, 429, false, "", "", {"Rate limited    ", "wait 30s        "}},
      {"a redirect", true, 302, false, "", "", {"Server error    ", "HTTP 302        "}},
  };
  for (const auto &answer : answers) {
    auto fw = playing(0);
    ControlAction action;
    fw.press(100, ControlAction::NEXT);
    fw.start_control(100, action);
    fw.press(200, ControlAction::NEXT);  // waiting when the answer comes
    const ControlOutcome outcome = outcome_of(answer.connected, answer.status, answer.ok, answer.error);
    fw.control_answered(600, outcome, answer.status, parse_retry_after(answer.retry_after));
    const std::string name = answer.what;
    if (answer.rows.empty()) {
      check(outcome == ControlOutcome::DONE && fw.frame(600, true)[1] == padded(">> Next"), name + ": feedback");
      check(fw.start_control(600 + CONTROL_GAP_MS, action), name + ": the waiting press goes next");
      continue;
    }
    check(fw.frame(600, true) == answer.rows, name + ": " + fw.frame(600, true)[0] + "/" + fw.frame(600, true)[1]);
    check(fw.frame(600 + REFUSAL_SHOWN_MS - 1, true)[0] == answer.rows[0], name + ": shown for 4 s");
    check(fw.frame(600 + REFUSAL_SHOWN_MS, true) == Rows({"Paparazzi       ", "Lady Gaga       "}),
          name + ": then the track again");
    check(!fw.start_control(100000, action), name + ": the press that waited is not sent");
    check(fw.start_request(5000), name + ": polls go on at their hint");
  }

  // A later press hides an old refusal and shows its own feedback.
  auto fw = playing(0);
  ControlAction action;
  fw.press(100, ControlAction::NEXT);
  fw.start_control(100, action);
  fw.control_answered(500, ControlOutcome::NO_ACTIVE_DEVICE, 404);
  fw.press(1000, ControlAction::TOGGLE);
  check(fw.frame(1000, true) == Rows({"Paparazzi       ", padded("|| Pause")}), "a new press replaces the message");

  // Every message fits 16 cells, with the longest wait and a three-digit status.
  bool fit = true;
  for (int outcome = 1; outcome <= static_cast<int>(ControlOutcome::BAD_ANSWER); outcome++) {
    Controls controls;
    controls.press(0, ControlAction::NEXT);
    controls.start(0, action);
    controls.answered(0, static_cast<ControlOutcome>(outcome), 503, LONGEST_RETRY_AFTER_S);
    std::pair<std::string, std::string> text;
    fit = fit && controls.refusal(0, "Home Assistant", text) && text.first.size() <= 16 && text.second.size() <= 16;
  }
  check(fit, "every refusal is at most 16 cells a row");
}

void retry_after_is_obeyed() {
  auto fw = playing(0);
  ControlAction action;
  fw.press(0, ControlAction::VOLUME_UP);
  fw.start_control(0, action);
  fw.control_answered(500, ControlOutcome::RATE_LIMITED, 429, 27);
  check(fw.frame(4499, true)[1] == padded("wait 24s"), "the wait counts down");
  fw.press(10500, ControlAction::VOLUME_UP);
  check(fw.frame(10500, true) == Rows({"Rate limited    ", "wait 17s        "}),
        "a press while limited: the wait left");
  check(!fw.start_control(10500, action), "...and nothing is sent");
  fw.press(20000, ControlAction::NEXT);
  check(!fw.start_control(27499, action), "nothing before Retry-After has passed");
  check(!fw.start_control(27500, action), "presses made while limited are not sent later");
  fw.press(27600, ControlAction::NEXT);
  check(fw.start_control(27600, action) && action == ControlAction::NEXT, "after it, presses go out again");

  struct Header {
    const char *value;
    uint32_t seconds;
  };
  const Header headers[] = {
      {"", 0},        {"27", 27},     {"0", 0},           {"abc", 0},  {"-5", 0},    {"1.5", 0},
      {" 30", 0},     {"30 ", 0},     {"3600", 3600},     {"3601", 3600},
      {"99999999999999999999999999", 3600},  // would overflow 32 bits
      {"Wed, 21 Oct 2015 07:28:00 GMT", 0},  // an HTTP date: the default wait
  };
  for (const auto &header : headers)
    check(parse_retry_after(header.value) == header.seconds, std::string("Retry-After '") + header.value + "'");
  Controls defaulted;
  defaulted.press(0, ControlAction::NEXT);
  defaulted.start(0, action);
  defaulted.answered(0, ControlOutcome::TOO_MANY_BAD_KEYS, 429, parse_retry_after("soon"));
  defaulted.press(DEFAULT_RETRY_AFTER_S * 1000 - 1, ControlAction::NEXT);
  check(!defaulted.start(DEFAULT_RETRY_AFTER_S * 1000 - 1, action), "no usable Retry-After: 30 s");
  defaulted.press(DEFAULT_RETRY_AFTER_S * 1000, ControlAction::NEXT);
  check(defaulted.start(DEFAULT_RETRY_AFTER_S * 1000, action), "...then presses go out");
  check(wait_text(0) == "1s" && wait_text(1) == "1s" && wait_text(99000) == "99s" && wait_text(99001) == "2m" &&
            wait_text(3600000) == "60m",
        "waits: whole seconds up, minutes from 100 s");
}

void presses_that_cannot_go_out_expire() {
  ControlAction action;
  std::string text;
  Controls controls;  // no network: start() is never asked
  controls.press(0, ControlAction::NEXT);
  Controls later = controls;
  check(later.start(CONTROL_EXPIRY_MS, action), "a press can go out for 10 s");
  check(!controls.start(CONTROL_EXPIRY_MS + 1, action), "...not after: a skip minutes later is not what was meant");
  check(!controls.feedback(CONTROL_EXPIRY_MS + 1, true, text), "...and its feedback is gone");
  Controls fresh;
  fresh.press(0, ControlAction::VOLUME_UP);
  fresh.press(20000, ControlAction::VOLUME_DOWN);
  check(fresh.start(20000, action) && action == ControlAction::VOLUME_DOWN,
        "an expired press does not cancel a new one");
}

void controls_across_the_millis_wrap() {
  const uint64_t base = WRAP - 300;
  auto fw = playing(base - 5000);
  ControlAction action;
  fw.press(base, ControlAction::NEXT);
  check(fw.start_control(base, action), "wrap: out just before millis() wraps");
  fw.press(base + 10, ControlAction::NEXT);
  fw.control_answered(WRAP + 200, ControlOutcome::DONE);
  check(fw.start_request(WRAP + 200), "wrap: the poll after the answer");
  check(fw.frame(WRAP + 250, true)[1] == padded(">> Next"), "wrap: the feedback holds across the wrap");
  fw.accept(WRAP + 300, track("Bad Romance"));
  check(fw.start_control(WRAP + 450, action), "wrap: the waiting press 250 ms after the answer");
  fw.control_answered(WRAP + 600, ControlOutcome::RATE_LIMITED, 429, 5);
  fw.press(WRAP + 5599, ControlAction::NEXT);
  check(!fw.start_control(WRAP + 5599, action) && fw.frame(WRAP + 5599, true)[1] == padded("wait 1s"),
        "wrap: Retry-After counted across it");
  fw.press(WRAP + 5600, ControlAction::NEXT);
  check(fw.start_control(WRAP + 5600, action), "wrap: and ends on time");
}

void home_assistant_presses_the_integrations_buttons() {
  using A = ControlAction;
  check(std::string(button_suffix(A::TOGGLE)) == "play_pause" && std::string(button_suffix(A::PLAY)) == "play_pause" &&
            std::string(button_suffix(A::PAUSE)) == "play_pause" &&
            std::string(button_suffix(A::NEXT)) == "next_track" &&
            std::string(button_suffix(A::PREVIOUS)) == "previous_track" &&
            std::string(button_suffix(A::VOLUME_UP)) == "volume_up" &&
            std::string(button_suffix(A::VOLUME_DOWN)) == "volume_down",
        "button.<prefix>_<suffix> as custom_components/spotify_lcd/button.py names them");
  check(!needs_press(A::PLAY, true) && needs_press(A::PLAY, false) && needs_press(A::PAUSE, true) &&
            !needs_press(A::PAUSE, false) && needs_press(A::TOGGLE, true) && needs_press(A::NEXT, false),
        "play while playing and pause while paused press nothing");

  // As press_button_() drives it: out and done at once, the push ends the feedback.
  Firmware fw(16, 2, Timing{}, "Home Assistant", 0);
  fw.link_up(0);
  fw.accept(0, track());
  ControlAction action;
  fw.press(100, A::TOGGLE);
  check(fw.start_control(100, action) && action == A::TOGGLE && needs_press(action, fw.playing()),
        "HA: play/pause pressed at once");
  fw.control_answered(100, ControlOutcome::DONE);
  fw.press(150, A::NEXT);
  check(!fw.start_control(150 + CONTROL_GAP_MS - 51, action) && fw.start_control(350, action),
        "HA: presses spaced 250 ms apart");
  fw.control_answered(350, ControlOutcome::DONE);
  check(fw.frame(900, true)[1] == padded(">> Next"), "HA: feedback until the push");
  Payload paused = track("Bad Romance");
  paused.state = "paused";
  fw.accept(1000, paused);
  check(fw.frame(1000, true) == Rows({"Bad Romance     ", "Lady Gaga       "}), "HA: the push ends it");
}

void a_press_wakes_the_backlight() {
  Payload idle = track("Nothing playing");
  idle.state = "idle";
  idle.glyphs.clear();
  idle.bar = idle.icon = "";
  Firmware fw(16, 2, Timing{}, "Server", 0);
  for (uint64_t now = 0; now <= 400000; now += 5000) fw.accept(now, idle);  // still idle, poll after poll
  check(!fw.backlight_wanted(400000, true), "idle for 5 min: backlight off");
  fw.press(400000, ControlAction::TOGGLE);
  check(fw.backlight_wanted(400000, true), "a press turns it on");
  for (uint64_t now = 405000; now < 700000; now += 5000) fw.accept(now, idle);
  check(fw.backlight_wanted(400000 + 299999, true), "...for another backlight timeout");
  check(!fw.backlight_wanted(400000 + 300000, true), "...then off again");
}

}  // namespace

void test_controls() {
  names_and_bodies_are_the_servers();
  a_press_shows_at_once_and_goes_out_alone();
  presses_while_one_is_out_are_combined();
  the_feedback_lasts_until_the_result_shows();
  every_answer_says_what_happened();
  retry_after_is_obeyed();
  presses_that_cannot_go_out_expire();
  controls_across_the_millis_wrap();
  home_assistant_presses_the_integrations_buttons();
  a_press_wakes_the_backlight();
}

}  // namespace host_test
