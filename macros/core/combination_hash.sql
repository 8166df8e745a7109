{#- Used by the unique-combination test and by the duplicate-key search of int_core__sales_records: grouping by one
    8-byte hash is cheaper than grouping by the text columns; both then compare the few rows of a repeated hash
    exactly, so a collision costs a few rows of work, never a wrong answer. -#}

{#- A 64-bit hash of a combination of columns, equal for equal combinations (nulls included). -#}
{% macro combination_hash(columns) -%}
    {{ return(adapter.dispatch('combination_hash', 'promo_factory')(columns)) }}
{%- endmacro %}

{% macro duckdb__combination_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__combination_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}

{#- Elsewhere an md5 of the values as text (null as empty text: a collision only adds rows to the exact pass). -#}
{% macro default__combination_hash(columns) -%}
    {%- set texts = [] %}
    {%- for column in columns %}
        {%- do texts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") %}
        {%- if not loop.last %}{%- do texts.append("'|'") %}{%- endif %}
    {%- endfor %}
    {{- dbt.hash(dbt.concat(texts)) }}
{%- endmacro %}
