"""Static, self-contained HTML campaign report (inline SVG, no JavaScript)."""

from promo_factory.report.campaign import render_campaign_report, write_campaign_report

__all__ = ["render_campaign_report", "write_campaign_report"]
