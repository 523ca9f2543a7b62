// The display's state between answers: when to ask, what to draw now, what each failure
// says on the glass, when the backlight may go off, and the playback controls (controls.h)
// sharing the request task with the polls.
//
// Times are ESPHome's millis_64(): they never wrap, unlike millis() after 49.7 days. Pure
// C++17, driven by the component on the main loop and by the host tests alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "controls.h"
#include "payload.h"
#include "render.h"

namespace esphome::spotify_lcd {

struct Timing {
  uint32_t min_poll_ms = 1000;
  uint32_t max_poll_ms = 30000;
  uint32_t retry_ms = 5000;             // after a failure that may pass by itself
  uint32_t stale_after_ms = 15000;      // no news for this long: "!" in the last cell
  uint32_t give_up_after_ms = 120000;   // ...and after this long, say why instead
  uint32_t backlight_timeout_ms = 300000;  // nothing playing for this long: backlight off (0: never)
};

// Why there is nothing new to show. The first two may pass by themselves, so the last screen
// stays up for a while; the others need the user and are shown at once.
enum class Failure : uint8_t {
  UNREACHABLE,        // no connection, timeout, or the API link to Home Assistant is down
  SERVER_ERROR,       // 5xx or an unexpected status
  BAD_REQUEST,        // 400: the server refused the uid
  KEY_REQUIRED,       // 401
  WRONG_KEY,          // 403
  UNKNOWN_UID,        // 404
  TOO_MANY_BAD_KEYS,  // 429
  BAD_ANSWER,         // not a v2 payload, too large, or failing its checks
};

inline bool passes_by_itself(Failure failure) {
  return failure == Failure::UNREACHABLE || failure == Failure::SERVER_ERROR;
}

// The v2 byte budget (README): the most of an answer the firmware reads, as ESPHome's own
// http_request action does by default ("1kB", which ESPHome takes as 1000 bytes).
constexpr size_t MAX_ANSWER_BYTES = 1000;

// What one request brought back, handed from the HTTP task to the main loop.
struct Fetched {
  bool connected = false;  // an HTTP status arrived
  int status = 0;
  bool complete = false;   // the whole body was read, within MAX_ANSWER_BYTES
  std::string body;
  std::string retry_after;  // the header, for a 429
};

// The failure a fetch stands for, when it is not a complete 200.
inline Failure failure_of(const Fetched &fetched) {
  if (!fetched.connected) return Failure::UNREACHABLE;
  switch (fetched.status) {
    case 200:
      return Failure::BAD_ANSWER;  // cut at the buffer's end
    case 400:
      return Failure::BAD_REQUEST;
    case 401:
      return Failure::KEY_REQUIRED;
    case 403:
      return Failure::WRONG_KEY;
    case 404:
      return Failure::UNKNOWN_UID;
    case 429:
      return Failure::TOO_MANY_BAD_KEYS;
    default:
      return Failure::SERVER_ERROR;
  }
}

class Firmware {
 public:
  // `source` names who answers, for the messages: "Server" or "Home Assistant".
  Firmware(int cols, int rows, Timing timing, std::string source, uint64_t now)
      : cols_(cols), rows_(rows), timing_(timing), source_(std::move(source)), waiting_since_(now) {}

  // Polling: whether to send a request now. It is then in flight until accept() or fail().
  // One request task serves polls and controls, one request at a time.
  bool start_request(uint64_t now) {
    if (this->in_flight_ || this->controls_.in_flight() || now < this->next_request_at_) return false;
    this->in_flight_ = true;
    return true;
  }
  bool in_flight() const { return this->in_flight_; }

  // A button (controls.h): shown at once, and counted as activity for the backlight.
  void press(uint64_t now, ControlAction action) {
    this->controls_.press(now, action);
    this->idle_since_ = now;
  }

  // Whether to send a control now, and which; it is then out until control_answered().
  bool start_control(uint64_t now, ControlAction &action) {
    return !this->in_flight_ && this->controls_.start(now, action);
  }

  // A control's answer; once done, the next poll goes at once to show what it changed.
  void control_answered(uint64_t now, ControlOutcome outcome, int status = 0, uint32_t retry_after_s = 0) {
    this->controls_.answered(now, outcome, status, retry_after_s);
    if (outcome == ControlOutcome::DONE) this->next_request_at_ = now;
  }

  // As the glass shows it: what play/pause does, and whether play or pause changes anything.
  bool playing() const { return this->screen_.state == "playing"; }

  // A payload arrived; nullptr if it is shown, else what was wrong with it (then a failure).
  const char *accept(uint64_t now, const Payload &payload) {
    Checked checked;
    const char *problem = check_payload(payload, this->cols_, this->rows_, checked);
    if (problem != nullptr) {
      this->fail(now, Failure::BAD_ANSWER);
      return problem;
    }
    const Screen &next = checked.screen;
    if (!this->has_screen_ || next.title != this->screen_.title || next.artist != this->screen_.artist ||
        next.album != this->screen_.album || next.state != this->screen_.state)
      this->changed_at_ = now;
    if (next.state == "playing" || !this->has_screen_ || this->screen_.state == "playing") this->idle_since_ = now;
    if (checked.glyphs != this->glyphs_) {
      this->glyphs_ = checked.glyphs;
      this->glyphs_changed_ = true;
    }
    this->screen_ = next;
    this->has_screen_ = true;
    this->controls_.payload_arrived();
    this->failure_ = Failure::UNREACHABLE;
    this->fetched_at_ = this->last_ok_ = now;
    this->in_flight_ = false;
    this->next_request_at_ =
        now + clamp_ms(checked.next_poll_ms, this->timing_.min_poll_ms, this->timing_.max_poll_ms);
    return nullptr;
  }

  // A request ended without a payload to show; `status` is the HTTP status, if any.
  void fail(uint64_t now, Failure failure, int status = 0) {
    this->failure_ = failure;
    this->status_ = status;
    this->in_flight_ = false;
    const uint32_t wait = passes_by_itself(failure) ? this->timing_.retry_ms : this->timing_.max_poll_ms;
    this->next_request_at_ = now + clamp_ms(wait, this->timing_.min_poll_ms, this->timing_.max_poll_ms);
  }

  // Pushed payloads (Home Assistant): the link is up, so what was pushed last is current.
  void link_up(uint64_t now) {
    this->linked_ = true;
    this->last_ok_ = now;
  }

  // The glyphs of the latest payload, once after each change, for CGRAM.
  bool take_new_glyphs(std::vector<Glyph> &glyphs) {
    if (!this->glyphs_changed_) return false;
    glyphs = this->glyphs_;
    this->glyphs_changed_ = false;
    return true;
  }

  // The rows to print now, each exactly `cols` bytes. A control's refusal takes the screen
  // for a few seconds; its feedback takes the last row.
  std::vector<std::string> frame(uint64_t now, bool network_up) const {
    std::pair<std::string, std::string> text;
    if (network_up && this->controls_.refusal(now, this->source_, text))
      return this->message_rows(text.first, text.second);
    std::vector<std::string> rows = this->message(now, network_up, text) ? this->message_rows(text.first, text.second)
                                                                          : this->track_rows(now);
    std::string feedback;
    if (network_up && this->controls_.feedback(now, this->playing(), feedback))
      rows.back() = marquee(feedback, this->cols_, 0);
    return rows;
  }

  // Off once nothing has played for the timeout; on for every message and every press.
  bool backlight_wanted(uint64_t now, bool network_up) const {
    std::pair<std::string, std::string> text;
    if (this->timing_.backlight_timeout_ms == 0 || this->message(now, network_up, text) ||
        this->controls_.showing(now))
      return true;
    return this->screen_.state == "playing" || now - this->idle_since_ < this->timing_.backlight_timeout_ms;
  }

 protected:
  // True and `text` set when a message takes the place of the track.
  bool message(uint64_t now, bool network_up, std::pair<std::string, std::string> &text) const {
    if (!network_up) {
      text = {"Connecting WiFi", ""};
      return true;
    }
    if (!passes_by_itself(this->failure_)) {
      text = this->failure_text();
      return true;
    }
    if (!this->has_screen_) {
      if (now - this->waiting_since_ <= this->timing_.give_up_after_ms) {
        text = {"Connecting...", ""};
      } else if (this->linked_ && now - this->last_ok_ <= this->timing_.stale_after_ms) {
        text = {"No payload from", this->source_};  // connected, but nothing was ever pushed
      } else {
        text = this->failure_text();
      }
      return true;
    }
    if (now - this->last_ok_ > this->timing_.give_up_after_ms) {
      text = this->failure_text();
      return true;
    }
    return false;
  }

  std::vector<std::string> track_rows(uint64_t now) const {
    Screen shown = this->screen_;
    if (now - this->last_ok_ > this->timing_.stale_after_ms && !shown.stale) {
      shown.stale = true;
      shown.mark = "!";
    }
    return render(shown, now - this->fetched_at_, now - this->changed_at_);
  }

  std::pair<std::string, std::string> failure_text() const {
    const std::string status = std::to_string(this->status_);
    switch (this->failure_) {
      case Failure::UNREACHABLE:
        return {this->source_, "unreachable"};
      case Failure::SERVER_ERROR:
        return {"Server error", "HTTP " + status};
      case Failure::BAD_REQUEST:
        return {"Bad request", "check uid (" + status + ")"};
      case Failure::KEY_REQUIRED:
        return {"Device key", "required (" + status + ")"};
      case Failure::WRONG_KEY:
        return {"Wrong device key", "(HTTP " + status + ")"};
      case Failure::UNKNOWN_UID:
        return {"Unknown uid", "(HTTP " + status + ")"};
      case Failure::TOO_MANY_BAD_KEYS:
        return {"Too many wrong", "keys: wait (" + status + ")"};
      case Failure::BAD_ANSWER:
        return {"Bad answer from", this->source_};
    }
    return {};
  }

  std::vector<std::string> message_rows(const std::string &first, const std::string &second) const {
    Screen text;
    text.cols = this->cols_;
    text.rows = this->rows_;
    text.title = first;
    text.artist = second;
    return render(text, 0, 0);
  }

  int cols_, rows_;
  Timing timing_;
  std::string source_;
  Screen screen_;
  bool has_screen_ = false;
  bool linked_ = false;
  std::vector<Glyph> glyphs_;
  bool glyphs_changed_ = false;
  bool in_flight_ = false;
  Failure failure_ = Failure::UNREACHABLE;
  int status_ = 0;
  Controls controls_;
  uint64_t waiting_since_;
  uint64_t next_request_at_ = 0, fetched_at_ = 0, changed_at_ = 0, last_ok_ = 0, idle_since_ = 0;
};

}  // namespace esphome::spotify_lcd
