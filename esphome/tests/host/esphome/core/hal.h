// Host stand-in for esphome/core/hal.h: LCDDisplay::setup() waits on these.
#pragma once

#include <cstdint>

namespace esphome {

inline uint32_t millis() { return 1000; }
inline void delay(uint32_t /*ms*/) {}
inline void delayMicroseconds(uint32_t /*us*/) {}

}  // namespace esphome
