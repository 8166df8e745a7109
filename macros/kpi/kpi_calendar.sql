{#- Calendar of the KPI marts: ISO weeks (Monday start) and calendar months.
    dbt.date_trunc('week', ...) is Monday-based on DuckDB and Spark; the ISO
    year and week number are adapter-specific, hence adapter.dispatch. -#}

{% macro kpi_week_start(date_expr) -%}
    cast({{ dbt.date_trunc('week', date_expr) }} as date)
{%- endmacro %}

{% macro kpi_month_start(date_expr) -%}
    cast({{ dbt.date_trunc('month', date_expr) }} as date)
{%- endmacro %}

{#- ISO 8601 week-numbering year: 2026-12-31 -> 2026 (W53), 2025-12-29 -> 2026 (W01). -#}
{% macro kpi_iso_year(date_expr) -%}
    {{ return(adapter.dispatch('kpi_iso_year', 'promo_factory')(date_expr)) }}
{%- endmacro %}

{% macro default__kpi_iso_year(date_expr) -%}
    cast(extract(isoyear from {{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro duckdb__kpi_iso_year(date_expr) -%}
    cast(isoyear({{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__kpi_iso_year(date_expr) -%}
    cast(extract(yearofweek from {{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#- ISO 8601 week number, 1..53. -#}
{% macro kpi_iso_week(date_expr) -%}
    {{ return(adapter.dispatch('kpi_iso_week', 'promo_factory')(date_expr)) }}
{%- endmacro %}

{% macro default__kpi_iso_week(date_expr) -%}
    cast(extract(week from {{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro duckdb__kpi_iso_week(date_expr) -%}
    cast(weekofyear({{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__kpi_iso_week(date_expr) -%}
    cast(weekofyear({{ date_expr }}) as {{ dbt.type_int() }})
{%- endmacro %}

{#- The first day of the month `months` months after a month start, as a date. -#}
{% macro kpi_add_months(date_expr, months) -%}
    cast({{ dbt.dateadd('month', months, date_expr) }} as date)
{%- endmacro %}

{#- The KPI marts whose rows belong to a week or a month are incremental like the sale lines
    (macros/landing/incremental.sql): an incremental run deletes the periods of int_kpi__changed_weeks or
    int_kpi__changed_months (pre-hook) and reads only the sale lines of the periods it recomputes. A mart whose
    period p also depends on p - 1 (brand switching) rewrites the changed periods and the ones after them
    (offsets [0, 1]), read from the lines of offsets [-1, 0, 1].
    grain: 'week' or 'month'; the changed-period model holds one column, <grain>_start. -#}

{#- The changed periods shifted by each of `offsets` periods, as a subquery of <grain>_start. -#}
{% macro kpi_changed_periods(changed_periods, grain, offsets=[0]) -%}
    {%- set period_start = grain ~ '_start' %}
    {%- for offset in offsets %}
        select
            {% if offset == 0 %}{{ period_start }}
            {%- elif grain == 'month' %}{{ kpi_add_months(period_start, offset) }}
            {%- else %}{{ exceptions.raise_compiler_error('kpi_changed_periods: only months shift') }}
            {%- endif %} as {{ period_start }}
        from {{ changed_periods }}
        {%- if not loop.last %}
            union
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{% macro delete_changed_periods(changed_periods, grain, period_column, offsets=[0]) -%}
    {%- call incremental_delete() -%}
        {{ period_column }} in ({{ kpi_changed_periods(changed_periods, grain, offsets) }})
    {%- endcall -%}
{%- endmacro %}

{#- Filter of a mart's sale lines: in an incremental run, the lines of the periods to read only. The range of
    dates from the first period's start to the last period's end selects no other line, but compares the date
    column itself: DuckDB then skips the blocks of lines outside it from their min / max dates (the period of
    each line is computed only for the rest). With the period test alone, the 100M day computed the week of
    every line of history in each weekly mart (0.41 s against 0.05 s for the lines of kpi_brand_weekly). -#}
{% macro kpi_changed_periods_filter(changed_periods, grain, offsets=[0], date_column='business_date') -%}
    {%- if core_is_incremental_run() -%}
        {%- set period_of_date = kpi_month_start(date_column) if grain == 'month' else kpi_week_start(date_column) %}
        {%- set periods = kpi_changed_periods(changed_periods, grain, offsets) %}
        {%- set last_start = 'max(' ~ grain ~ '_start)' %}
        {%- set end_of_last = kpi_add_months(last_start, 1) if grain == 'month'
            else 'cast(' ~ dbt.dateadd('day', 7, last_start) ~ ' as date)' %}
        where
            {{ date_column }} >= (select min({{ grain }}_start) from ({{ periods }}) as first_period)
            and {{ date_column }} < (select {{ end_of_last }} from ({{ periods }}) as last_period)
            and {{ period_of_date }} in ({{ periods }})
    {%- endif -%}
{%- endmacro %}

{#- A mart whose period p depends on every period before it (buyer dynamics: a buyer is new only in their first
    month) rewrites, in an incremental run, the first changed period and every period after it. -#}

{#- The first changed period as a scalar subquery; none when the model is built from scratch. -#}
{% macro kpi_first_changed_period(changed_periods, grain) -%}
    {%- if not core_is_incremental_run() -%}{{ return(none) }}{%- endif -%}
    {{ return('(select min(' ~ grain ~ '_start) from ' ~ changed_periods ~ ')') }}
{%- endmacro %}

{% macro delete_periods_from_first_change(changed_periods, grain, period_column) -%}
    {%- call incremental_delete() -%}
        {{ period_column }} >= {{ kpi_first_changed_period(changed_periods, grain) }}
    {%- endcall -%}
{%- endmacro %}
