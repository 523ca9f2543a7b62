// Host stand-in for esphome/core/component.h: the base classes LCDDisplay derives from.
#pragma once

#include <cstdint>
#include <string>

namespace esphome {

namespace setup_priority {
inline constexpr float PROCESSOR = 400.0f;
}  // namespace setup_priority

class Component {
 public:
  virtual ~Component() = default;
  virtual void setup() {}
  virtual float get_setup_priority() const { return 0.0f; }
};

class PollingComponent : public Component {
 public:
  virtual void update() = 0;
};

}  // namespace esphome
