// Host stand-in for esphome/core/helpers.h.
#pragma once

#include <cstdarg>
#include <cstdio>

#define HOT __attribute__((hot))
