// Host stand-in for esphome/core/time.h: LCDDisplay::strftime takes an ESPTime.
#pragma once

#include <cstddef>

namespace esphome {

struct ESPTime {
  size_t strftime(char * /*buffer*/, size_t /*buffer_len*/, const char * /*format*/) { return 0; }
};

}  // namespace esphome
