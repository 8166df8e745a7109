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
