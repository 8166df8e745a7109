"""The campaign report: per campaign, the lift and its CI, the cumulative
sales of treatment vs control over the campaign days, and the verdict.

`render_campaign_report` is pure (DataFrames in, HTML text out);
`write_campaign_report` reads the warehouse and writes one self-contained file.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

from promo_factory.report.svg import COLOURS, Interval, forest_plot, line_chart

VERDICT_TEXT = {
    "ok": ("#2ca02c", "OK: randomisation and sample sizes pass the checks."),
    "srm_failure": ("#d62728", "Sample-ratio mismatch: the arms do not match the declared split; do not read the lift."),
    "contaminated": ("#ff7f0e", "Contaminated: control shoppers redeemed the offer; the lift is biased towards zero."),
    "underpowered": ("#9467bd", "Underpowered: an arm is too small for a reliable interval."),
}

STYLE = """
body { font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1000px;
       color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.6em 0; }
th, td { border-bottom: 1px solid #eee; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.badge { color: white; border-radius: 3px; padding: 1px 6px; font-size: 0.85em; }
.note { color: #666; font-size: 0.85em; }
"""


def _fmt(value: object, digits: int = 2, pct: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return f"{value:,}"
    number = float(value)  # type: ignore[arg-type]
    return f"{number * 100:,.{digits - 1}f} %" if pct else f"{number:,.{digits}f}"


def _badge(verdict: str) -> str:
    colour, _ = VERDICT_TEXT.get(verdict, ("#555", verdict))
    return f'<span class="badge" style="background:{colour}">{escape(verdict)}</span>'


def _results_table(rows: pd.DataFrame) -> str:
    header = (
        "<tr><th>retailer</th><th>treated</th><th>control</th><th>mean T</th><th>mean C</th>"
        "<th>incr. / shopper [95 % CI]</th><th>CUPED [95 % CI]</th><th>relative lift</th><th>p</th>"
        "<th>incr. EUR</th><th>cost EUR</th><th>iROAS</th><th>buyers T / C</th><th>SRM p</th><th>verdict</th></tr>"
    )
    body = []
    for r in rows.to_dict("records"):
        body.append(
            "<tr>"
            f"<td>{escape(str(r['retailer']))}</td><td>{_fmt(int(r['n_treatment']))}</td>"
            f"<td>{_fmt(int(r['n_control']))}</td><td>{_fmt(r['mean_sales_treatment'])}</td>"
            f"<td>{_fmt(r['mean_sales_control'])}</td>"
            f"<td>{_fmt(r['incremental_sales_per_shopper'])} [{_fmt(r['ci_low'])}; {_fmt(r['ci_high'])}]</td>"
            f"<td>{_fmt(r['cuped_incremental_sales_per_shopper'])} "
            f"[{_fmt(r['cuped_ci_low'])}; {_fmt(r['cuped_ci_high'])}]</td>"
            f"<td>{_fmt(r.get('relative_lift'), pct=True)}</td><td>{_fmt(r['p_value'], 3)}</td>"
            f"<td>{_fmt(r['incremental_sales_eur'], 0)}</td><td>{_fmt(r['cost_eur'], 0)}</td>"
            f"<td>{_fmt(r['iroas'])}</td>"
            f"<td>{_fmt(r['buyer_rate_treatment'], pct=True)} / {_fmt(r['buyer_rate_control'], pct=True)}</td>"
            f"<td>{_fmt(r['srm_p_value'], 3)}</td><td>{_badge(str(r['verdict']))}</td>"
            "</tr>"
        )
    return f"<table>{header}{''.join(body)}</table>"


def _forest(rows: pd.DataFrame) -> str:
    intervals = []
    for r in rows.to_dict("records"):
        intervals.append(
            Interval(f"{r['retailer']} (difference)", r["incremental_sales_per_shopper"], r["ci_low"], r["ci_high"])
        )
        intervals.append(
            Interval(
                f"{r['retailer']} (CUPED)",
                r["cuped_incremental_sales_per_shopper"],
                r["cuped_ci_low"],
                r["cuped_ci_high"],
                COLOURS["cuped"],
            )
        )
        intervals.append(
            Interval(
                f"{r['retailer']} (skew-adjusted)",
                r["incremental_sales_per_shopper"],
                r["skew_adjusted_ci_low"],
                r["skew_adjusted_ci_high"],
                COLOURS["skew_adjusted"],
            )
        )
    return forest_plot(intervals, unit="incremental sales, EUR per treated shopper")


def cumulative_per_shopper(daily: pd.DataFrame) -> dict[str, list[tuple[int, float]]]:
    """(campaign day, cumulative in-scope sales per assigned shopper) per arm, all retailers summed.

    A retailer without sales on a day keeps its cumulative total of the
    day before (forward fill), so the sum over retailers never dips.
    """
    series: dict[str, list[tuple[int, float]]] = {}
    if daily.empty:
        return series
    frame = daily.assign(business_date=pd.to_datetime(daily["business_date"]))
    start = frame["business_date"].min()
    for arm in ("treatment", "control"):
        arm_rows = frame[frame["arm"] == arm]
        if arm_rows.empty:
            continue
        cumulative = (
            arm_rows.pivot_table(index="business_date", columns="retailer", values="cumulative_sales_eur", aggfunc="sum")
            .sort_index()
            .ffill()
            .fillna(0.0)
            .sum(axis=1)
        )
        shoppers = float(arm_rows.groupby("retailer")["n_shoppers"].first().sum())
        days = (cumulative.index - start).days + 1
        series[arm] = list(zip([int(d) for d in days], (cumulative.astype(float) / shoppers).tolist(), strict=True))
    return series


def _cumulative(daily: pd.DataFrame) -> str:
    return line_chart(cumulative_per_shopper(daily), "cumulative EUR per shopper")


def render_campaign_report(results: pd.DataFrame, daily: pd.DataFrame, campaigns: pd.DataFrame | None = None) -> str:
    """The whole HTML document (inline CSS and SVG, no external resource)."""
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    overview = results[results["retailer"] == "ALL"].sort_values("campaign_id")
    info = campaigns.set_index("campaign_id") if campaigns is not None and not campaigns.empty else None
    sections = []
    for campaign_id in overview["campaign_id"]:
        rows = results[results["campaign_id"] == campaign_id]
        rows = pd.concat([rows[rows["retailer"] != "ALL"].sort_values("retailer"), rows[rows["retailer"] == "ALL"]])
        pooled = rows[rows["retailer"] == "ALL"].iloc[0]
        verdict = str(pooled["verdict"])
        colour, explanation = VERDICT_TEXT.get(verdict, ("#555", verdict))
        subtitle = ""
        if info is not None and campaign_id in info.index:
            c = info.loc[campaign_id]
            scope = f"{c['brand']}" + (f" / {c['category_l2']}" if isinstance(c["category_l2"], str) else "")
            subtitle = (
                f"<p class='note'>{escape(scope)}; {escape(str(c['offer_type']))} {escape(str(c['offer_value']))}; "
                f"{c['start_date']} to {c['end_date']}; holdout {_fmt(float(c['holdout_share']), pct=True)}</p>"
            )
        headline = (
            f"<p>Incremental sales: <b>{_fmt(pooled['incremental_sales_eur'], 0)} EUR</b> "
            f"({_fmt(pooled['incremental_sales_per_shopper'])} EUR per treated shopper, 95 % CI "
            f"[{_fmt(pooled['ci_low'])}; {_fmt(pooled['ci_high'])}], CUPED "
            f"{_fmt(pooled['cuped_incremental_sales_per_shopper'])} "
            f"[{_fmt(pooled['cuped_ci_low'])}; {_fmt(pooled['cuped_ci_high'])}], skew-adjusted "
            f"[{_fmt(pooled['skew_adjusted_ci_low'])}; {_fmt(pooled['skew_adjusted_ci_high'])}]); "
            f"cost {_fmt(pooled['cost_eur'], 0)} EUR; iROAS {_fmt(pooled['iroas'])}.</p>"
        )
        sections.append(
            f"<h2 id='{escape(str(campaign_id))}'>{escape(str(campaign_id))} {_badge(verdict)}</h2>{subtitle}"
            f"<p style='color:{colour}'>{escape(explanation)}</p>{headline}"
            f"{_forest(rows)}"
            f"<h3>Cumulative in-scope sales per shopper</h3>{_cumulative(daily[daily['campaign_id'] == campaign_id])}"
            f"{_results_table(rows)}"
        )
    summary = _results_table(overview.assign(retailer=overview["campaign_id"])).replace(
        "<th>retailer</th>", "<th>campaign</th>", 1
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Campaign measurement report</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Campaign measurement report</h1><p class='note'>Generated {generated}. Intention to treat: every "
        "assigned shopper counts, redeemed or not. Outcome: net sales (EUR incl. VAT) of the campaign's products by "
        "the shopper at the retailer during the campaign. CUPED uses the same outcome over the equally long period "
        "before the start as covariate. ALL rows pool the retailers weighted by treated shoppers.</p>"
        f"<h2>All campaigns</h2>{summary}{''.join(sections)}"
        "<p class='note'>Verdicts: srm_failure when the SRM chi-square p-value &lt; 0.001; contaminated when "
        "redemptions by control shoppers exceed 10 % of the control arm; underpowered when an arm has fewer than "
        "30 shoppers or the estimate is too skewed for a normal interval (|estimate_skewness| &gt; 0.2: a skewed "
        "outcome with a small arm); the skew-adjusted interval (Hall's correction of the Welch interval for "
        "that skewness) is then the one to read.</p></body></html>"
    )


def write_campaign_report(warehouse: Path, out: Path) -> Path:
    """Read campaign_results and the daily arm sales from the warehouse; write the HTML file; return its path."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results = con.sql("select * from marts.campaign_results").df()
        daily = con.sql("select * from intermediate.int_campaign_daily_arm_sales").df()
        campaigns = con.sql(
            "select campaign_id, brand, category_l2, offer_type, offer_value, start_date, end_date, holdout_share "
            "from marts.dim_campaigns"
        ).df()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_campaign_report(results, daily, campaigns), encoding="utf-8")
    return out
