{#- Portable text helpers; DuckDB-only syntax stays behind adapter.dispatch. -#}

{#- True when the whole text matches the regular expression. -#}
{% macro matches_regex(expression, pattern) -%}
    {{ return(adapter.dispatch('matches_regex', 'promo_factory')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__matches_regex(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro default__matches_regex(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}

{#- Text trimmed, with an empty string turned into null. -#}
{% macro clean_text(expression) -%}
    nullif({{ trim_text(expression) }}, '')
{%- endmacro %}

{#- trim(text). `expression` is a column or another cheap expression: DuckDB evaluates it up to four times. -#}
{% macro trim_text(expression) -%}
    {{ return(adapter.dispatch('trim_text', 'promo_factory')(expression)) }}
{%- endmacro %}

{#- DuckDB's trim costs ~0.1 us per value (it trims Unicode spaces, so it decodes the text); staging trims a
    dozen fields of every line. Pure ASCII text (as many bytes as characters) can only carry ASCII spaces, so
    text that is ASCII and neither starts nor ends with a space is returned as is (~0.02 us); anything else
    goes through trim. Same result as trim() on every text. -#}
{% macro duckdb__trim_text(expression) -%}
    case
        when
            starts_with({{ expression }}, ' ')
            or ends_with({{ expression }}, ' ')
            or strlen({{ expression }}) <> length({{ expression }})
            then trim({{ expression }})
        else {{ expression }}
    end
{%- endmacro %}

{% macro default__trim_text(expression) -%}
    trim({{ expression }})
{%- endmacro %}

{#- Brand normalisation: trimmed, single spaces, upper case (docs/CONVENTIONS.md). -#}
{% macro normalise_brand(expression) -%}
    {{ return(adapter.dispatch('normalise_brand', 'promo_factory')(expression)) }}
{%- endmacro %}

{% macro duckdb__normalise_brand(expression) -%}
    nullif(upper(trim(regexp_replace({{ expression }}, '\s+', ' ', 'g'))), '')
{%- endmacro %}

{% macro default__normalise_brand(expression) -%}
    nullif(upper(trim(regexp_replace({{ expression }}, '\\s+', ' '))), '')
{%- endmacro %}

{#- A decimal number written with a dot or a decimal comma, as decimal(18,6); null when not a number.
    Empty text is null before the cast: a failing try_cast costs DuckDB ~10x a successful one (it builds an
    error message), and optional fields such as ALPHA's poids_kg are empty on most lines. -#}
{% macro parse_decimal(expression) -%}
    {{ try_cast_as("replace(" ~ clean_text(expression) ~ ", ',', '.')", "decimal(18, 6)") }}
{%- endmacro %}

{#- A whole number written as text ("2", "-1", "2.0"), as integer; null when not a whole number or
    beyond the integer range (a quarantine reason, never a failed cast). -#}
{% macro parse_whole_number(expression) -%}
    case
        when {{ parse_decimal(expression) }} = round({{ parse_decimal(expression) }}, 0)
            then {{ try_cast_as(parse_decimal(expression), 'integer') }}
    end
{%- endmacro %}

{#- Fail the query at execution time with a message (used for landing-zone contract violations). -#}
{% macro raise_in_sql(message_expression) -%}
    {{ return(adapter.dispatch('raise_in_sql', 'promo_factory')(message_expression)) }}
{%- endmacro %}

{% macro duckdb__raise_in_sql(message_expression) -%}
    error({{ message_expression }})
{%- endmacro %}

{% macro default__raise_in_sql(message_expression) -%}
    raise_error({{ message_expression }})
{%- endmacro %}

{#- A cast that yields null instead of failing (a bad value becomes a quarantine reason, never a failed build). -#}
{% macro try_cast_as(expression, data_type) -%}
    {{ return(adapter.dispatch('try_cast_as', 'promo_factory')(expression, data_type)) }}
{%- endmacro %}

{% macro duckdb__try_cast_as(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro default__try_cast_as(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{#- Sortable version key of a record: its file then its zero-padded order in the file ("beta/orders/d.jsonl:000000000012");
    daily file names sort by date, so a later key is a later delivery. -#}
{% macro order_version_key(file_column, order_column) -%}
    {{ dbt.concat([file_column, "':'", "lpad(cast(" ~ order_column ~ " as " ~ dbt.type_string() ~ "), 12, '0')"]) }}
{%- endmacro %}
