#include "spotify_lcd.h"

#include <cinttypes>

#include "esphome/components/json/json_util.h"
#include "esphome/components/network/util.h"
#include "esphome/core/hal.h"
#include "esphome/core/log.h"
#include "lcd_output.h"

#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
#include "esphome/components/api/api_server.h"
#endif
#if defined(USE_SPOTIFY_LCD_CONTROLS) && defined(USE_SPOTIFY_LCD_HOME_ASSISTANT)
#include "esphome/components/api/api_pb2.h"
#endif

namespace esphome::spotify_lcd {

static const char *const TAG = "spotify_lcd";

#ifdef USE_SPOTIFY_LCD_SERVER
// TLS handshakes need the room; ESPHome's own update check runs its requests on 8 KiB too.
static constexpr uint32_t FETCH_TASK_STACK_BYTES = 8192;
static constexpr UBaseType_t FETCH_TASK_PRIORITY = 1;
static constexpr size_t READ_CHUNK_BYTES = 256;
#endif

// A v2 body's fields, with the types the contract gives them; false if any is missing or
// of another type (then nothing of it is shown).
static bool read_payload(const std::string &body, Payload &payload) {
  return json::parse_json(body, [&payload](JsonObject root) -> bool {
    auto text = [&root](const char *key, std::string &out) {
      if (!root[key].is<const char *>()) return false;
      out = root[key].as<std::string>();
      return true;
    };
    auto number = [&root](const char *key, int64_t &out) {
      if (!root[key].is<int64_t>()) return false;
      out = root[key].as<int64_t>();
      return true;
    };
    if (!number("v", payload.version) || !text("state", payload.state) || !number("cols", payload.cols) ||
        !number("rows", payload.rows) || !text("title", payload.title) || !text("artist", payload.artist) ||
        !text("album", payload.album) || !number("progress", payload.progress) ||
        !number("duration", payload.duration) || !root["stale"].is<bool>() || !text("bar", payload.bar) ||
        !text("icon", payload.icon) || !text("mark", payload.mark) || !root["glyphs"].is<JsonArray>() ||
        !number("next_poll", payload.next_poll))
      return false;
    payload.stale = root["stale"].as<bool>();
    for (JsonVariant glyph : root["glyphs"].as<JsonArray>()) {
      if (!glyph.is<const char *>()) return false;
      payload.glyphs.push_back(glyph.as<std::string>());
    }
    return true;
  });
}

void SpotifyLCD::setup() {
#ifdef USE_SPOTIFY_LCD_SERVER
  const char *source = "Server";
#else
  const char *source = "Home Assistant";
#endif
  this->firmware_.emplace(this->cols_, this->rows_, this->timing_, source, millis_64());
#ifdef USE_SPOTIFY_LCD_SERVER
  // The request runs here, off the main loop: a server that does not answer holds up this
  // task for the HTTP timeout, never the display.
  if (xTaskCreate(SpotifyLCD::fetch_task_, "spotify_lcd", FETCH_TASK_STACK_BYTES, this, FETCH_TASK_PRIORITY,
                  &this->fetch_task_handle_) != pdPASS) {
    ESP_LOGE(TAG, "Could not start the request task");
    this->mark_failed();
    return;
  }
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  api::global_api_server->subscribe_home_assistant_state(this->entity_id_, this->attribute_,
                                                        [this](StringRef value) { this->pushed_(value); });
#endif
}

void SpotifyLCD::update() {
  const uint64_t now = millis_64();
  const bool network_up = network::is_connected();
#ifdef USE_SPOTIFY_LCD_SERVER
  this->start_job_(now);
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  if (api::global_api_server->is_connected()) this->firmware_->link_up(now);
#ifdef USE_SPOTIFY_LCD_CONTROLS
  this->press_button_(now);
#endif
#endif
  if (this->switch_backlight_) {
    const bool wanted = this->firmware_->backlight_wanted(now, network_up);
    if (this->backlight_on_ != wanted) {
      this->switch_backlight_(wanted);
      this->backlight_on_ = wanted;
    }
  }
}

void SpotifyLCD::draw(lcd_base::LCDDisplay &it) {
  if (this->firmware_.has_value()) print_rows(it, this->firmware_->frame(millis_64(), network::is_connected()));
}

void SpotifyLCD::accept_(uint64_t now, const Payload &payload) {
  if (!laid_out_for(payload, this->cols_, this->rows_) && !this->warned_size_) {
    ESP_LOGW(TAG, "The payload is laid out for %dx%d, the display is %dx%d: drawn at the display's size",
             static_cast<int>(payload.cols), static_cast<int>(payload.rows), this->cols_, this->rows_);
    this->warned_size_ = true;
  }
  const char *problem = this->firmware_->accept(now, payload);
  if (problem != nullptr) {
    ESP_LOGW(TAG, "Payload refused: %s", problem);
    return;
  }
  std::vector<Glyph> glyphs;
  if (this->firmware_->take_new_glyphs(glyphs)) load_glyphs(*this->display_, glyphs);
}

#ifdef USE_SPOTIFY_LCD_CONTROLS
void SpotifyLCD::control(ControlAction action) {
  if (!this->firmware_.has_value() || this->is_failed()) return;  // before setup(), or no request task
  const uint64_t now = millis_64();
  this->firmware_->press(now, action);
#ifdef USE_SPOTIFY_LCD_SERVER
  this->start_job_(now);
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  this->press_button_(now);
#endif
  // The feedback now, not at the display's next update (if it is set up: buttons start first).
  if (this->display_->is_ready()) this->display_->update();
}

void SpotifyLCD::control(const std::string &name) {
  ControlAction action;
  if (!parse_action(name, action)) {
    ESP_LOGW(TAG, "Unknown control '%s': use play, pause, toggle, next, previous, volume_up or volume_down",
             name.c_str());
    return;
  }
  this->control(action);
}
#endif

#ifdef USE_SPOTIFY_LCD_SERVER
void SpotifyLCD::start_job_(uint64_t now) {
  if (!network::is_connected()) return;
#ifdef USE_SPOTIFY_LCD_CONTROLS
  Job job;
  if (this->firmware_->start_control(now, job.action)) {
    job.control = true;
  } else if (!this->firmware_->start_request(now)) {
    return;
  }
  this->job_ = job;
#else
  if (!this->firmware_->start_request(now)) return;
#endif
  xTaskNotifyGive(this->fetch_task_handle_);
}

void SpotifyLCD::fetch_task_(void *param) {
  auto *self = static_cast<SpotifyLCD *>(param);
  for (;;) {
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    // Everything the answer changes is changed on the main loop, like ESPHome's own tasks do.
#ifdef USE_SPOTIFY_LCD_CONTROLS
    const Job job = self->job_;
    if (job.control) {
      Fetched answer = self->post_(self->control_url_, control_body(self->control_form_, job.action));
      self->defer([self, answer]() { self->control_answered_(answer); });
      continue;
    }
#endif
    Fetched fetched = self->post_(self->url_, self->form_);
    self->defer([self, fetched]() { self->fetched_(fetched); });
  }
}

Fetched SpotifyLCD::post_(const char *url, const std::string &body) {
  Fetched fetched;
  const std::vector<http_request::Header> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
  auto container = this->http_->post(url, body, headers, {"retry-after"});
  if (container == nullptr) return fetched;
  fetched.connected = true;
  fetched.status = container->status_code;
  fetched.retry_after = container->get_response_header("retry-after");
  // One byte over the budget tells an answer that was cut from one that fits.
  const size_t limit = MAX_ANSWER_BYTES + 1;
  const size_t wanted =
      container->content_length > 0 && container->content_length < limit ? container->content_length : limit;
  fetched.body.resize(wanted);
  const auto read = http_request::http_read_fully(container.get(), reinterpret_cast<uint8_t *>(&fetched.body[0]),
                                                  wanted, READ_CHUNK_BYTES, this->http_->get_timeout());
  fetched.body.resize(container->get_bytes_read());
  fetched.complete = read.status == http_request::HttpReadStatus::OK && fetched.body.size() <= MAX_ANSWER_BYTES;
  container->end();
  return fetched;
}

void SpotifyLCD::fetched_(const Fetched &fetched) {
  const uint64_t now = millis_64();
  Payload payload;
  if (fetched.connected && fetched.status == 200 && fetched.complete) {
    if (read_payload(fetched.body, payload)) {
      this->accept_(now, payload);
      return;
    }
    ESP_LOGW(TAG, "Not a v2 payload: %s", fetched.body.c_str());
    this->firmware_->fail(now, Failure::BAD_ANSWER);
    return;
  }
  if (!fetched.connected) {
    ESP_LOGW(TAG, "No answer from %s", this->url_);
  } else if (fetched.status == 200) {
    ESP_LOGW(TAG, "The answer is longer than %u bytes", static_cast<unsigned>(MAX_ANSWER_BYTES));
  } else {
    ESP_LOGW(TAG, "HTTP %d from %s: %s", fetched.status, this->url_, fetched.body.c_str());
  }
  this->firmware_->fail(now, failure_of(fetched), fetched.status);
}

#ifdef USE_SPOTIFY_LCD_CONTROLS
void SpotifyLCD::control_answered_(const Fetched &answer) {
  const uint64_t now = millis_64();
  bool ok = false;
  std::string error;
  // Only a whole JSON object is read: a server without /control answers 404 in plain text.
  if (answer.complete && !answer.body.empty() && answer.body[0] == '{') {
    json::parse_json(answer.body, [&ok, &error](JsonObject root) -> bool {
      ok = root["ok"].is<bool>() && root["ok"].as<bool>();
      if (root["error"].is<const char *>()) error = root["error"].as<std::string>();
      return true;
    });
  }
  const ControlOutcome outcome = outcome_of(answer.connected, answer.status, ok, error);
  const uint32_t retry_after_s = parse_retry_after(answer.retry_after);
  if (outcome == ControlOutcome::DONE) {
    ESP_LOGD(TAG, "Control done");
  } else if (!answer.connected) {
    ESP_LOGW(TAG, "Control: no answer from %s", this->control_url_);
  } else {
    ESP_LOGW(TAG, "Control refused, HTTP %d from %s: %s", answer.status, this->control_url_, answer.body.c_str());
  }
  this->firmware_->control_answered(now, outcome, answer.status, retry_after_s);
  this->start_job_(now);  // the poll that shows what changed, at once
}
#endif
#endif

#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
void SpotifyLCD::pushed_(StringRef value) {
  const uint64_t now = millis_64();
  Payload payload;
  if (read_payload(std::string(value.c_str(), value.size()), payload)) {
    this->accept_(now, payload);
    return;
  }
  ESP_LOGW(TAG, "%s has no v2 payload in %s: '%s'", this->entity_id_, this->attribute_, value.c_str());
  this->firmware_->fail(now, Failure::BAD_ANSWER);
}

#ifdef USE_SPOTIFY_LCD_CONTROLS
void SpotifyLCD::press_button_(uint64_t now) {
  ControlAction action;
  if (!api::global_api_server->is_connected() || !this->firmware_->start_control(now, action)) return;
  if (needs_press(action, this->firmware_->playing())) {
    const std::string entity_id = std::string(this->buttons_) + "_" + button_suffix(action);
    api::HomeassistantActionRequest request;
    request.service = StringRef("button.press");
    request.data.init(1);
    auto &entity = request.data.emplace_back();
    entity.key = StringRef("entity_id");
    entity.value = StringRef(entity_id);
    // Without a call id: Home Assistant would report only an unknown or invalid action, not
    // a press the integration refused (older versions report nothing), so those refusals
    // are in Home Assistant's log, not on the glass.
    api::global_api_server->send_homeassistant_action(request);
    ESP_LOGD(TAG, "Pressed %s", entity_id.c_str());
  }
  // The push of the payload it changes ends the feedback.
  this->firmware_->control_answered(now, ControlOutcome::DONE);
}
#endif
#endif

void SpotifyLCD::dump_config() {
  ESP_LOGCONFIG(TAG,
                "Spotify LCD:\n"
                "  Size: %dx%d\n"
                "  Stale after: %" PRIu32 " ms\n"
                "  Give up after: %" PRIu32 " ms\n"
                "  Backlight timeout: %" PRIu32 " ms%s",
                this->cols_, this->rows_, this->timing_.stale_after_ms, this->timing_.give_up_after_ms,
                this->timing_.backlight_timeout_ms, this->switch_backlight_ ? "" : " (no backlight to switch)");
#ifdef USE_SPOTIFY_LCD_SERVER
  // The form holds the device key: never logged.
  ESP_LOGCONFIG(TAG,
                "  Server: %s\n"
                "  uid: %s\n"
                "  Poll every %" PRIu32 "-%" PRIu32 " ms, retry after %" PRIu32 " ms",
                this->url_, this->uid_, this->timing_.min_poll_ms, this->timing_.max_poll_ms, this->timing_.retry_ms);
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  ESP_LOGCONFIG(TAG, "  Home Assistant: %s, attribute %s", this->entity_id_, this->attribute_);
#endif
#ifdef USE_SPOTIFY_LCD_CONTROLS
#ifdef USE_SPOTIFY_LCD_SERVER
  ESP_LOGCONFIG(TAG, "  Controls: %s", this->control_url_);
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  ESP_LOGCONFIG(TAG, "  Controls: %s_play_pause, ..._next_track, ...", this->buttons_);
#endif
#endif
  LOG_UPDATE_INTERVAL(this);
  if (this->is_failed()) ESP_LOGE(TAG, "  The request task could not be started");
}

}  // namespace esphome::spotify_lcd
