{#- Plausibility window of a sale's business date (docs/CONVENTIONS.md, invalid_timestamp).

    A sale dated before 2000 or after the day following the date in its file's name cannot be true: files are
    named after their business day, a later file may re-deliver older sales but never sales from its future
    (one day of tolerance for a UTC partition date next to a Paris business date). Without this window one
    mistyped year would move the last business date, turn every planned campaign into a past one and empty
    the offers. The file date is the first YYYY-MM-DD in the path; without one, only the lower bound holds.
    Staging reads the file date as a constant of each file (landing_versions_values), not computed per record. -#}

{#- The date in a landing file's path, as a SQL date constant (e.g. 'alpha/receipts/2026-03-01.csv' ->
    2026-03-01): the first YYYY-MM-DD in the path, null when there is none or when it is not a calendar date. -#}
{% macro landing_file_date_literal(source_file) -%}
    {%- set found = modules.re.search('([0-9]{4}-[0-9]{2}-[0-9]{2})', source_file) -%}
    {%- if found -%}
        {{ try_cast_as(landing_literal(found.group(1)), 'date') }}
    {%- else -%}
        cast(null as date)
    {%- endif -%}
{%- endmacro %}

{#- True when a (non-null) business date lies outside the plausibility window of its file, whose date
    (landing_file_date_literal, null when the path has none) is `file_date_expression`. -#}
{% macro is_implausible_business_date(date_expression, file_date_expression) -%}
    coalesce(
        {{ date_expression }} < cast('2000-01-01' as date)
        or {{ date_expression }} > {{ dbt.dateadd('day', 1, file_date_expression) }},
        false
    )
{%- endmacro %}
