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

{#- Weekly KPI marts are incremental like the sale lines (macros/landing/incremental.sql): an incremental run
    deletes the weeks of int_kpi__changed_weeks (pre-hook) and reads only the sale lines of those weeks. -#}
{% macro delete_changed_weeks(changed_weeks) -%}
    {%- if core_is_incremental_run() -%}
        delete from {{ this }}
        where week_start in (select week_start from {{ changed_weeks }})
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{#- Filter of a weekly KPI mart's sale lines: in an incremental run, the lines of the changed weeks only. -#}
{% macro kpi_changed_weeks_filter(changed_weeks, date_column='business_date') -%}
    {%- if core_is_incremental_run() -%}
        where {{ kpi_week_start(date_column) }} in (select week_start from {{ changed_weeks }})
    {%- endif -%}
{%- endmacro %}

{#- Monthly marts whose month m depends on months m - 1 and m (brand switching) are incremental by month:
    a change in month c rewrites the rows of c and c + 1, read from the lines of c - 1 to c + 1.
    The months of int_kpi__changed_months shifted by each of `offsets`, as a subquery of month_start. -#}
{% macro kpi_changed_months_shifted(changed_months, offsets) -%}
    {%- for offset in offsets %}
        select {{ kpi_add_months('month_start', offset) }} as month_start from {{ changed_months }}
        {%- if not loop.last %}
            union
        {%- endif %}
    {%- endfor %}
{%- endmacro %}

{% macro delete_changed_months(changed_months, offsets) -%}
    {%- if core_is_incremental_run() -%}
        delete from {{ this }}
        where period_start in ({{ kpi_changed_months_shifted(changed_months, offsets) }})
    {%- else -%}
        select 1 as nothing_to_delete
    {%- endif -%}
{%- endmacro %}

{% macro kpi_changed_months_filter(changed_months, offsets, date_column='business_date') -%}
    {%- if core_is_incremental_run() -%}
        where {{ kpi_month_start(date_column) }} in ({{ kpi_changed_months_shifted(changed_months, offsets) }})
    {%- endif -%}
{%- endmacro %}
