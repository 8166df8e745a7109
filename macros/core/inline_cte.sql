{#- Put between `name as` and the CTE's bracket for a CTE that is read more than once but should be recomputed
    where it is read rather than copied: DuckDB materialises every CTE referenced twice (a full in-memory copy,
    spilled to disk at scale), which for a table import or a cheap projection over a large table costs far more
    than scanning the columnar table again. Spark inlines CTEs itself and has no such hint. -#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'promo_factory')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}
{%- endmacro %}

{% macro duckdb__inline_cte() -%}
    not materialized
{%- endmacro %}

{#- The mark for a CTE read more than once that holds every line in a full build but only the changed periods'
    lines in an incremental run: re-scanned in the first case, copied in the second (re-scanning would filter
    the whole table again for each read: the weekly KPI marts' 100M incremental day took 3x longer). -#}
{% macro inline_cte_unless_incremental() -%}
    {%- if not core_is_incremental_run() -%}
        {{ inline_cte() }}
    {%- endif -%}
{%- endmacro %}
