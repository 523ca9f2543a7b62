// Playback controls from the display's buttons: what a press asks for, when it is sent, what
// the glass shows meanwhile, and what each answer of POST /control (src/spotifylcd/
// control_request.py) means.
//
// One control is out at a time: the server computes toggle and volume from the playback it
// saw last, which the answer to the previous control has just refreshed. Presses made while
// one is out wait, combined: the same button repeats (up to MAX_WAITING), volume up and down
// cancel out, as do two play/pause, and any other button replaces what waits (the latest
// press is what the user wants now). Times are millis_64(), as in firmware.h.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace esphome::spotify_lcd {

// The `action` field of POST /control (src/spotifylcd/control.py, ControlAction).
enum class ControlAction : uint8_t { PLAY, PAUSE, TOGGLE, NEXT, PREVIOUS, VOLUME_UP, VOLUME_DOWN };

constexpr ControlAction CONTROL_ACTIONS[] = {
    ControlAction::PLAY,     ControlAction::PAUSE,     ControlAction::TOGGLE,      ControlAction::NEXT,
    ControlAction::PREVIOUS, ControlAction::VOLUME_UP, ControlAction::VOLUME_DOWN,
};

constexpr const char *action_name(ControlAction action) {
  switch (action) {
    case ControlAction::PLAY:
      return "play";
    case ControlAction::PAUSE:
      return "pause";
    case ControlAction::TOGGLE:
      return "toggle";
    case ControlAction::NEXT:
      return "next";
    case ControlAction::PREVIOUS:
      return "previous";
    case ControlAction::VOLUME_UP:
      return "volume_up";
    case ControlAction::VOLUME_DOWN:
      return "volume_down";
  }
  return "";
}

// A lambda's action name; false for anything the server does not know.
inline bool parse_action(const std::string &name, ControlAction &action) {
  for (ControlAction candidate : CONTROL_ACTIONS) {
    if (name == action_name(candidate)) {
      action = candidate;
      return true;
    }
  }
  return false;
}

// The request body: `form` holds uid and key, form-encoded when the firmware was generated;
// the action names are plain [a-z_], so nothing here needs escaping.
inline std::string control_body(const std::string &form, ControlAction action) {
  return form + "&action=" + action_name(action);
}

// The Home Assistant button that does `action` (custom_components/spotify_lcd/button.py):
// the entity is `<prefix>_<suffix>`. Play and pause have no button of their own.
constexpr const char *button_suffix(ControlAction action) {
  switch (action) {
    case ControlAction::NEXT:
      return "next_track";
    case ControlAction::PREVIOUS:
      return "previous_track";
    case ControlAction::VOLUME_UP:
      return "volume_up";
    case ControlAction::VOLUME_DOWN:
      return "volume_down";
    default:
      return "play_pause";
  }
}

// Whether pressing `action`'s button changes anything: play while playing, or pause while
// not, would toggle the wrong way.
constexpr bool needs_press(ControlAction action, bool playing) {
  return !(action == ControlAction::PLAY && playing) && !(action == ControlAction::PAUSE && !playing);
}

// What the last row says from the press until the answer (ROM-safe ASCII: every display has it).
inline const char *feedback_text(ControlAction action, bool playing) {
  switch (action) {
    case ControlAction::PLAY:
      return "> Play";
    case ControlAction::PAUSE:
      return "|| Pause";
    case ControlAction::TOGGLE:
      return playing ? "|| Pause" : "> Play";
    case ControlAction::NEXT:
      return ">> Next";
    case ControlAction::PREVIOUS:
      return "<< Previous";
    case ControlAction::VOLUME_UP:
      return "Volume +";
    case ControlAction::VOLUME_DOWN:
      return "Volume -";
  }
  return "";
}

// How a control ended.
enum class ControlOutcome : uint8_t {
  DONE,
  UNREACHABLE,          // no HTTP answer
  NO_ACTIVE_DEVICE,     // 404 no_active_device
  PREMIUM_REQUIRED,     // 403 premium_required
  SPOTIFY_REFUSED,      // 403 forbidden
  RATE_LIMITED,         // 429 rate_limited, with Retry-After
  RELINK_FOR_CONTROLS,  // 403 relink_for_controls: linked before controls existed
  NEEDS_RELINK,         // 403 needs_relink
  KEYLESS_NOT_ALLOWED,  // 403 controls_not_allowed
  KEY_REQUIRED,         // 401 missing_key
  WRONG_KEY,            // 403 wrong_key
  UNKNOWN_UID,          // 404 unknown_uid
  TOO_MANY_BAD_KEYS,    // 429 too_many_bad_keys, with Retry-After
  SPOTIFY_UNAVAILABLE,  // 502 spotify_unavailable, 503 not_ready
  NO_CONTROLS,          // 404/405 not_found, method_not_allowed or plain: no /control there
  BAD_REQUEST,          // any other 4xx
  SERVER_ERROR,         // any other status
  BAD_ANSWER,           // 200 without {"ok": true}
};

// The outcome of an answer; `ok` and `error` are its JSON fields (false and "" when absent).
inline ControlOutcome outcome_of(bool connected, int status, bool ok, const std::string &error) {
  if (!connected) return ControlOutcome::UNREACHABLE;
  if (status == 200) return ok ? ControlOutcome::DONE : ControlOutcome::BAD_ANSWER;
  static const std::pair<const char *, ControlOutcome> ERRORS[] = {
      {"no_active_device", ControlOutcome::NO_ACTIVE_DEVICE},
      {"premium_required", ControlOutcome::PREMIUM_REQUIRED},
      {"forbidden", ControlOutcome::SPOTIFY_REFUSED},
      {"rate_limited", ControlOutcome::RATE_LIMITED},
      {"relink_for_controls", ControlOutcome::RELINK_FOR_CONTROLS},
      {"needs_relink", ControlOutcome::NEEDS_RELINK},
      {"controls_not_allowed", ControlOutcome::KEYLESS_NOT_ALLOWED},
      {"missing_key", ControlOutcome::KEY_REQUIRED},
      {"wrong_key", ControlOutcome::WRONG_KEY},
      {"unknown_uid", ControlOutcome::UNKNOWN_UID},
      {"too_many_bad_keys", ControlOutcome::TOO_MANY_BAD_KEYS},
      {"spotify_unavailable", ControlOutcome::SPOTIFY_UNAVAILABLE},
      {"not_ready", ControlOutcome::SPOTIFY_UNAVAILABLE},
      {"not_found", ControlOutcome::NO_CONTROLS},
      {"method_not_allowed", ControlOutcome::NO_CONTROLS},
  };
  for (const auto &known : ERRORS)
    if (error == known.first) return known.second;
  if (error.empty() && (status == 404 || status == 405)) return ControlOutcome::NO_CONTROLS;
  if (status == 401) return ControlOutcome::KEY_REQUIRED;
  if (status == 429) return ControlOutcome::RATE_LIMITED;
  if (status >= 400 && status < 500) return ControlOutcome::BAD_REQUEST;
  return ControlOutcome::SERVER_ERROR;
}

constexpr uint32_t DEFAULT_RETRY_AFTER_S = 30;  // a 429 that does not say how long
constexpr uint32_t LONGEST_RETRY_AFTER_S = 3600;

// Retry-After in whole seconds (the form the server sends), at most an hour; 0 when absent or
// not a number (an HTTP date, say).
inline uint32_t parse_retry_after(const std::string &header) {
  if (header.empty()) return 0;
  uint32_t seconds = 0;
  for (char c : header) {
    if (c < '0' || c > '9') return 0;
    seconds = seconds * 10 + static_cast<uint32_t>(c - '0');
    if (seconds > LONGEST_RETRY_AFTER_S) seconds = LONGEST_RETRY_AFTER_S;  // before it can overflow
  }
  return seconds;
}

// "27s", or "12m" from 100 s (the rows have 16 cells).
inline std::string wait_text(uint64_t ms) {
  const uint64_t seconds = ms == 0 ? 1 : (ms + 999) / 1000;
  return seconds < 100 ? std::to_string(seconds) + "s" : std::to_string((seconds + 59) / 60) + "m";
}

constexpr uint32_t CONTROL_GAP_MS = 250;        // from an answer to the next control: the poll goes first
constexpr uint32_t CONTROL_EXPIRY_MS = 10000;   // a press not sent by then (no network) is dropped
constexpr uint32_t FEEDBACK_MIN_MS = 500;       // the feedback is seen, however fast the answer
constexpr uint32_t FEEDBACK_HOLD_MS = 2000;     // after the answer, until the payload it changed
constexpr uint32_t REFUSAL_SHOWN_MS = 4000;
constexpr uint8_t MAX_WAITING = 3;

class Controls {
 public:
  // A button was pressed: it waits, combined with what already waits, until start().
  void press(uint64_t now, ControlAction action) {
    if (!this->waiting_live(now)) this->waiting_count_ = 0;  // expired: not combined with this one
    this->pressed_ = action;
    this->pressed_at_ = now;
    this->has_pressed_ = true;
    if (now < this->blocked_until_) {
      this->refused_at_ = now;  // say again how long to wait; nothing is sent
      return;
    }
    if (this->waiting_count_ == 0) {
      this->waiting_ = action;
      this->waiting_count_ = 1;
    } else if (action == this->waiting_) {
      if (action == ControlAction::TOGGLE) {
        this->waiting_count_ = 0;  // play/pause twice: as it was
      } else if (action != ControlAction::PLAY && action != ControlAction::PAUSE &&
                 this->waiting_count_ < MAX_WAITING) {
        this->waiting_count_++;
      }
    } else if (opposite(action, this->waiting_)) {
      this->waiting_count_--;
    } else {
      this->waiting_ = action;
      this->waiting_count_ = 1;
    }
  }

  // Whether to send a control now, and which; it is then out until answered(). The caller
  // asks only when the request task is free and the network is up. (Presses made while
  // Retry-After runs never wait: press() refuses them.)
  bool start(uint64_t now, ControlAction &action) {
    if (this->in_flight_ || !this->waiting_live(now) || now < this->next_at_) return false;
    action = this->waiting_;
    this->waiting_count_--;
    this->in_flight_ = true;
    return true;
  }
  bool in_flight() const { return this->in_flight_; }

  // The control's answer. After a refusal nothing that waits is sent: the message says why.
  void answered(uint64_t now, ControlOutcome outcome, int status = 0, uint32_t retry_after_s = 0) {
    this->in_flight_ = false;
    this->answered_at_ = now;
    this->has_answer_ = true;
    this->payload_since_answer_ = false;
    this->next_at_ = now + CONTROL_GAP_MS;
    if (outcome == ControlOutcome::DONE) return;
    this->outcome_ = outcome;
    this->status_ = status;
    this->refused_at_ = now;
    this->has_refusal_ = true;
    this->waiting_count_ = 0;
    if (outcome == ControlOutcome::RATE_LIMITED || outcome == ControlOutcome::TOO_MANY_BAD_KEYS) {
      const uint32_t wait = retry_after_s == 0 ? DEFAULT_RETRY_AFTER_S : retry_after_s;
      this->blocked_until_ = now + uint64_t{wait} * 1000;
    }
  }

  // A payload was shown: after an answer, it shows what the control changed (one that came
  // before is forgotten by answered()).
  void payload_arrived() { this->payload_since_answer_ = true; }

  // The refusal to show instead of the track, for a few seconds after it (or after a press
  // while blocked); `source` names the server for the messages that need it.
  bool refusal(uint64_t now, const std::string &source, std::pair<std::string, std::string> &text) const {
    if (!this->has_refusal_ || this->refused_at_ < this->pressed_at_ || now - this->refused_at_ >= REFUSAL_SHOWN_MS)
      return false;
    const std::string wait = wait_text(this->blocked_until_ > now ? this->blocked_until_ - now : 0);
    const std::string status = std::to_string(this->status_);
    switch (this->outcome_) {
      case ControlOutcome::DONE:
        return false;
      case ControlOutcome::UNREACHABLE:
        text = {source, "unreachable"};
        break;
      case ControlOutcome::NO_ACTIVE_DEVICE:
        text = {"No active device", "start Spotify"};
        break;
      case ControlOutcome::PREMIUM_REQUIRED:
        text = {"Spotify Premium", "needed"};
        break;
      case ControlOutcome::SPOTIFY_REFUSED:
        text = {"Spotify refused", "(HTTP " + status + ")"};
        break;
      case ControlOutcome::RATE_LIMITED:
        text = {"Rate limited", "wait " + wait};
        break;
      case ControlOutcome::RELINK_FOR_CONTROLS:
        text = {"Re-link Spotify", "for controls"};
        break;
      case ControlOutcome::NEEDS_RELINK:
        text = {"Re-link Spotify", "Spotify LCD"};
        break;
      case ControlOutcome::KEYLESS_NOT_ALLOWED:
        text = {"Controls need", "the device key"};
        break;
      case ControlOutcome::KEY_REQUIRED:
        text = {"Device key", "required (" + status + ")"};
        break;
      case ControlOutcome::WRONG_KEY:
        text = {"Wrong device key", "(HTTP " + status + ")"};
        break;
      case ControlOutcome::UNKNOWN_UID:
        text = {"Unknown uid", "(HTTP " + status + ")"};
        break;
      case ControlOutcome::TOO_MANY_BAD_KEYS:
        text = {"Too many wrong", "keys: wait " + wait};
        break;
      case ControlOutcome::SPOTIFY_UNAVAILABLE:
        text = {"Spotify offline", "try again"};
        break;
      case ControlOutcome::NO_CONTROLS:
        text = {"No controls on", source};
        break;
      case ControlOutcome::BAD_REQUEST:
        text = {"Bad request", "(HTTP " + status + ")"};
        break;
      case ControlOutcome::SERVER_ERROR:
        text = {"Server error", "HTTP " + status};
        break;
      case ControlOutcome::BAD_ANSWER:
        text = {"Bad answer from", source};
        break;
    }
    return true;
  }

  // The feedback for the last row: from the press while it waits or is out, then until the
  // payload that shows its effect (or FEEDBACK_HOLD_MS), and never shorter than FEEDBACK_MIN_MS.
  bool feedback(uint64_t now, bool playing, std::string &text) const {
    if (!this->has_pressed_ || now < this->blocked_until_) return false;
    std::pair<std::string, std::string> refused;
    if (this->refusal(now, "", refused)) return false;
    const bool pending = this->in_flight_ || this->waiting_live(now);
    const bool recent = now - this->pressed_at_ < FEEDBACK_MIN_MS;
    const bool settling = this->has_answer_ && this->answered_at_ >= this->pressed_at_ &&
                          !this->payload_since_answer_ && now - this->answered_at_ < FEEDBACK_HOLD_MS;
    if (!pending && !recent && !settling) return false;
    text = feedback_text(this->pressed_, playing);
    return true;
  }

  // Whether the glass is busy with a control (the backlight stays on).
  bool showing(uint64_t now) const {
    std::string feedback;
    std::pair<std::string, std::string> refused;
    return this->feedback(now, false, feedback) || this->refusal(now, "", refused);
  }

 protected:
  static bool opposite(ControlAction a, ControlAction b) {
    return (a == ControlAction::VOLUME_UP && b == ControlAction::VOLUME_DOWN) ||
           (a == ControlAction::VOLUME_DOWN && b == ControlAction::VOLUME_UP);
  }

  bool waiting_live(uint64_t now) const {
    return this->waiting_count_ > 0 && now - this->pressed_at_ <= CONTROL_EXPIRY_MS;
  }

  ControlAction pressed_ = ControlAction::TOGGLE;  // the last press, for the feedback
  ControlAction waiting_ = ControlAction::TOGGLE;
  uint8_t waiting_count_ = 0;
  bool has_pressed_ = false, in_flight_ = false, has_answer_ = false, payload_since_answer_ = false;
  bool has_refusal_ = false;
  ControlOutcome outcome_ = ControlOutcome::DONE;
  int status_ = 0;
  uint64_t pressed_at_ = 0, answered_at_ = 0, refused_at_ = 0, next_at_ = 0, blocked_until_ = 0;
};

}  // namespace esphome::spotify_lcd
