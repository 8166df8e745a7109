{#- Time conventions: business_date is the Europe/Paris local date; *_at_utc columns are UTC timestamps without zone. -#}

{#- Parse text with a strftime format (%d/%m/%Y %H:%M:%S); null when it does not parse. -#}
{% macro parse_timestamp(expression, format) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'promo_factory')(expression, format)) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(expression, format) -%}
    try_strptime({{ trim_text(expression) }}, '{{ format }}')
{%- endmacro %}

{% macro default__parse_timestamp(expression, format) -%}
    {%- set java_format = format | replace('%d', 'dd') | replace('%m', 'MM') | replace('%Y', 'yyyy')
        | replace('%H', 'HH') | replace('%M', 'mm') | replace('%S', 'ss') -%}
    to_timestamp(trim({{ expression }}), '{{ java_format }}')
{%- endmacro %}

{#- A Europe/Paris wall-clock timestamp converted to UTC (timestamp without zone). -#}
{% macro paris_local_to_utc(expression) -%}
    {{ return(adapter.dispatch('paris_local_to_utc', 'promo_factory')(expression)) }}
{%- endmacro %}

{% macro duckdb__paris_local_to_utc(expression) -%}
    (({{ expression }}) at time zone 'Europe/Paris' at time zone 'UTC')
{%- endmacro %}

{% macro default__paris_local_to_utc(expression) -%}
    to_utc_timestamp({{ expression }}, 'Europe/Paris')
{%- endmacro %}

{#- The Europe/Paris local date of a UTC timestamp (without zone). -#}
{% macro paris_local_date(utc_expression) -%}
    {{ return(adapter.dispatch('paris_local_date', 'promo_factory')(utc_expression)) }}
{%- endmacro %}

{% macro duckdb__paris_local_date(utc_expression) -%}
    cast((({{ utc_expression }}) at time zone 'UTC' at time zone 'Europe/Paris') as date)
{%- endmacro %}

{% macro default__paris_local_date(utc_expression) -%}
    to_date(from_utc_timestamp({{ utc_expression }}, 'Europe/Paris'))
{%- endmacro %}

{#- A time-zone-aware timestamp value (DuckDB timestamptz) as a UTC timestamp without zone. -#}
{% macro tz_aware_to_utc(expression) -%}
    {{ return(adapter.dispatch('tz_aware_to_utc', 'promo_factory')(expression)) }}
{%- endmacro %}

{% macro duckdb__tz_aware_to_utc(expression) -%}
    (({{ expression }}) at time zone 'UTC')
{%- endmacro %}

{% macro default__tz_aware_to_utc(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{#- ISO-8601 text (2026-03-01T10:12:00+01:00, ...Z, or without offset) as a UTC timestamp without zone;
    text without an offset is read as wall-clock time in naive_time_zone. Null when it does not parse. -#}
{% macro iso_text_to_utc(expression, naive_time_zone='UTC') -%}
    {{ return(adapter.dispatch('iso_text_to_utc', 'promo_factory')(expression, naive_time_zone)) }}
{%- endmacro %}

{% macro duckdb__iso_text_to_utc(expression, naive_time_zone='UTC') -%}
    case
        when regexp_matches(trim({{ expression }}), '(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$')
            then (try_cast(trim({{ expression }}) as timestamptz) at time zone 'UTC')
        else (try_cast(trim({{ expression }}) as timestamp) at time zone '{{ naive_time_zone }}' at time zone 'UTC')
    end
{%- endmacro %}

{% macro default__iso_text_to_utc(expression, naive_time_zone='UTC') -%}
    to_utc_timestamp(to_timestamp(trim({{ expression }})), 'UTC')
{%- endmacro %}
