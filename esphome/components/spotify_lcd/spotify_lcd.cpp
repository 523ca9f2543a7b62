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
  if (network_up && this->firmware_->start_request(now)) xTaskNotifyGive(this->fetch_task_handle_);
#endif
#ifdef USE_SPOTIFY_LCD_HOME_ASSISTANT
  if (api::global_api_server->is_connected()) this->firmware_->link_up(now);
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

#ifdef USE_SPOTIFY_LCD_SERVER
void SpotifyLCD::fetch_task_(void *param) {
  auto *self = static_cast<SpotifyLCD *>(param);
  for (;;) {
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
    Fetched fetched = self->fetch_();
    // Everything the answer changes is changed on the main loop, like ESPHome's own tasks do.
    self->defer([self, fetched]() { self->fetched_(fetched); });
  }
}

Fetched SpotifyLCD::fetch_() {
  Fetched fetched;
  const std::vector<http_request::Header> headers{{"Content-Type", "application/x-www-form-urlencoded"}};
  auto container = this->http_->post(this->url_, this->form_, headers);
  if (container == nullptr) return fetched;
  fetched.connected = true;
  fetched.status = container->status_code;
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
  LOG_UPDATE_INTERVAL(this);
  if (this->is_failed()) ESP_LOGE(TAG, "  The request task could not be started");
}

}  // namespace esphome::spotify_lcd
