#pragma once

#include <functional>
#include <optional>
#include <string>

#include "esphome/components/lcd_base/lcd_display.h"
#include "esphome/core/component.h"
#include "esphome/core/defines.h"
#include "firmware.h"

#ifdef USE_SPOTIFY_LCD_SERVER
#include <freertos/FreeRTOS.h>
#include <freertos/task.h>

#include "esphome/components/http_request/http_request.h"
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
#include "esphome/core/string_ref.h"
#endif

namespace esphome::spotify_lcd {

// Draws what Spotify plays on an HD44780 display: polls a /get server from its own task, or
// takes the payload Home Assistant pushes over the native API.
class SpotifyLCD : public PollingComponent {
 public:
  void setup() override;
  void update() override;
  void dump_config() override;
  // Before the display and Wi-Fi, so that the display's first frames already say something.
  float get_setup_priority() const override { return setup_priority::DATA; }

  void set_display(lcd_base::LCDDisplay *display, int cols, int rows) {
    this->display_ = display;
    this->cols_ = cols;
    this->rows_ = rows;
  }
  void set_stale_after(uint32_t ms) { this->timing_.stale_after_ms = ms; }
  void set_give_up_after(uint32_t ms) { this->timing_.give_up_after_ms = ms; }
  void set_backlight_timeout(uint32_t ms) { this->timing_.backlight_timeout_ms = ms; }
  void set_backlight(std::function<void(bool)> &&switch_backlight) {
    this->switch_backlight_ = std::move(switch_backlight);
  }
#ifdef USE_SPOTIFY_LCD_SERVER
  // `form` is the request body, form-encoded at code generation (uid and key escaped there).
  void set_server(http_request::HttpRequestComponent *http, const char *url, const char *uid, const char *form) {
    this->http_ = http;
    this->url_ = url;
    this->uid_ = uid;
    this->form_ = form;
  }
  void set_poll_intervals(uint32_t min_ms, uint32_t max_ms, uint32_t retry_ms) {
    this->timing_.min_poll_ms = min_ms;
    this->timing_.max_poll_ms = max_ms;
    this->timing_.retry_ms = retry_ms;
  }
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  void set_home_assistant(const char *entity_id, const char *attribute) {
    this->entity_id_ = entity_id;
    this->attribute_ = attribute;
  }
#endif
#ifdef USE_SPOTIFY_LCD_CONTROLS
#ifdef USE_SPOTIFY_LCD_SERVER
  // `form` is uid and key, form-encoded at code generation; the action is added per request.
  void set_control(const char *url, const char *form) {
    this->control_url_ = url;
    this->control_form_ = form;
  }
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  // The integration's buttons are `<prefix>_play_pause`, `<prefix>_next_track`, ...
  void set_buttons(const char *prefix) { this->buttons_ = prefix; }
#endif

  // The spotify_lcd.control action: feedback on the glass at once, the request when the
  // request task is free. Never blocks.
  void control(ControlAction action);
  // The same from a lambda's action name.
  void control(const std::string &name);
#endif

  // The display's writer: the frame for now.
  void draw(lcd_base::LCDDisplay &it);

 protected:
  void accept_(uint64_t now, const Payload &payload);

  lcd_base::LCDDisplay *display_{nullptr};
  int cols_{16};
  int rows_{2};
  Timing timing_;
  std::optional<Firmware> firmware_;  // made in setup(), when the clock runs
  std::function<void(bool)> switch_backlight_;
  std::optional<bool> backlight_on_;
  bool warned_size_{false};

#ifdef USE_SPOTIFY_LCD_SERVER
  static void fetch_task_(void *param);
  // Hands the task its next request, if one is due and the task is free.
  void start_job_(uint64_t now);
  Fetched post_(const char *url, const std::string &body);
  void fetched_(const Fetched &fetched);

  http_request::HttpRequestComponent *http_{nullptr};
  const char *url_{""};
  const char *uid_{""};
  const char *form_{""};
  TaskHandle_t fetch_task_handle_{nullptr};
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  void pushed_(StringRef value);

  const char *entity_id_{""};
  const char *attribute_{""};
#endif
#ifdef USE_SPOTIFY_LCD_CONTROLS
#ifdef USE_SPOTIFY_LCD_SERVER
  // What the request task is asked to send next: a poll, or a control.
  struct Job {
    bool control = false;
    ControlAction action = ControlAction::TOGGLE;
  };

  void control_answered_(const Fetched &answer);

  const char *control_url_{""};
  const char *control_form_{""};
  // Written on the main loop before the task is woken, read by the task; the next job is
  // only started after this one's answer is back on the main loop.
  Job job_;
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  // Presses the integration's button for the control that is due, if the API is up.
  void press_button_(uint64_t now);

  const char *buttons_{""};
#endif
#endif
};

}  // namespace esphome::spotify_lcd
