"""Spotify LCD's rendering helpers as an ESPHome external component (header-only C++)."""

import esphome.codegen as cg
import esphome.config_validation as cv

CODEOWNERS = ["@spotify-lcd"]
DEPENDENCIES = ["json"]

CONFIG_SCHEMA = cv.Schema({})


async def to_code(config: dict[str, object]) -> None:  # noqa: ARG001 - nothing to configure
    """Make spotify_lcd::* available to the YAML lambdas."""
    cg.add_global(
        cg.RawStatement('#include "esphome/components/spotify_lcd/spotify_lcd_esphome.h"')
    )
