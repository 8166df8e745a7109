{#- Plausibility window of a sale's business date (docs/CONVENTIONS.md, invalid_timestamp).

    A sale dated before 2000 or after the day following the date in its file's name cannot be true: files are
    named after their business day, a later file may re-deliver older sales but never sales from its future
    (one day of tolerance for a UTC partition date next to a Paris business date). Without this window one
    mistyped year would move the last business date, turn every planned campaign into a past one and empty
    the offers. The file date is the first YYYY-MM-DD in the path; without one, only the lower bound holds.
    Staging reads the file date computed once per file (landing_versions_values), not once per record. -#}

{#- The date in a landing file's path (e.g. 'alpha/receipts/2026-03-01.csv' -> 2026-03-01), null if none. -#}
{% macro landing_file_date(source_file_expression) -%}
    {{ try_cast_as("nullif(regexp_extract(" ~ source_file_expression
        ~ ", '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '')", 'date') }}
{%- endmacro %}

{#- True when a (non-null) business date lies outside the plausibility window of its file, whose date
    (landing_file_date, null when the path has none) is `file_date_expression`. -#}
{% macro is_implausible_business_date(date_expression, file_date_expression) -%}
    coalesce(
        {{ date_expression }} < cast('2000-01-01' as date)
        or {{ date_expression }} > {{ dbt.dateadd('day', 1, file_date_expression) }},
        false
    )
{%- endmacro %}
