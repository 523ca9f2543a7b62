"""The expiring-link repair issue, and its fix leading into reauth."""

from __future__ import annotations

import time
from datetime import timedelta
from http import HTTPStatus

import pytest
from custom_components.spotify_lcd.const import CONF_AUTHORIZED_AT, DOMAIN
from custom_components.spotify_lcd.repairs import check_token_age, token_issue_id
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

DAY = 86400.0


@pytest.mark.parametrize(
    ("age_days", "issue"), [(1, False), (167, False), (169, True), (200, True)]
)
async def test_issue_two_weeks_before_six_months(
    hass: HomeAssistant, config_entry: MockConfigEntry, age_days: float, issue: bool
) -> None:
    config_entry.add_to_hass(hass)
    now = config_entry.data[CONF_AUTHORIZED_AT] + age_days * DAY
    check_token_age(hass, config_entry, now)
    found = ir.async_get(hass).async_get_issue(DOMAIN, token_issue_id(config_entry))
    assert (found is not None) is issue
    if found is not None:
        assert found.is_fixable
        assert found.translation_placeholders == {
            "uid": "livingroom",
            "days": str(max(0, 182 - age_days)),
        }


@pytest.mark.usefixtures("playing", "setup_credentials")
async def test_fixing_starts_reauth(
    hass: HomeAssistant, config_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    entry = config_entry
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_AUTHORIZED_AT: time.time() - 175 * DAY}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, token_issue_id(entry)) is not None
    assert await async_setup_component(hass, "repairs", {})
    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": token_issue_id(entry)}
    )
    assert response.status == HTTPStatus.OK
    flow_id = (await response.json())["flow_id"]
    response = await client.post(f"/api/repairs/issues/fix/{flow_id}", json={})
    assert (await response.json())["type"] == "abort"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    # Until the user has signed in again, the link still expires: the issue stays.
    assert ir.async_get(hass).async_get_issue(DOMAIN, token_issue_id(entry)) is not None
    # The renewed link (reauth stores a new authorization time and reloads) clears it.
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_AUTHORIZED_AT: time.time()}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, token_issue_id(entry)) is None


@pytest.mark.usefixtures("playing", "setup_credentials")
async def test_age_is_checked_while_loaded_not_only_at_set_up(
    hass: HomeAssistant, config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    # Linked 167.5 days ago: no issue at set-up, one a day later, without a restart.
    entry = config_entry
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_AUTHORIZED_AT: time.time() - 167.5 * DAY}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, token_issue_id(entry)) is None
    freezer.tick(timedelta(days=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, token_issue_id(entry)) is not None
