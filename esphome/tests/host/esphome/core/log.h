// Host stand-in for esphome/core/log.h: warnings are counted, so a test can insist on none.
#pragma once

namespace esphome {
inline int &logged_warnings() {
  static int count = 0;
  return count;
}
}  // namespace esphome

#define ESP_LOGW(tag, ...) ((void) (tag), ++::esphome::logged_warnings())
