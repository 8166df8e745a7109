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

{#- The hashes of the combinations that occur more than once in a relation, in a column combination_hash (a hash
    repeated n times may be listed up to n - 1 times: use it with IN, or distinct). -#}
{% macro repeated_combination_hashes(relation, columns) -%}
    {{ return(adapter.dispatch('repeated_combination_hashes', 'promo_factory')(relation, columns)) }}
{%- endmacro %}

{% macro default__repeated_combination_hashes(relation, columns) -%}
    select {{ combination_hash(columns) }} as combination_hash
    from {{ relation }}
    group by {{ combination_hash(columns) }}
    having count(*) > 1
{%- endmacro %}

{#- DuckDB sorts the hashes and compares neighbours: on the 106M sale lines of the 100M bench the whole unique test
    of fct_sales_lines takes 6.2-6.5 s this way against 12.6-15.6 s grouped by the hash (its hash table of 106M
    keys is the cost; the scan and the hashing take ~1 s), and 0.6 s against 0.9-1.1 s at 10M. Not on Spark: a window
    ordered over the whole relation runs in one task there. -#}
{% macro duckdb__repeated_combination_hashes(relation, columns) -%}
    select combination_hash
    from (
        select
            combination_hash,
            lead(combination_hash) over (order by combination_hash) as next_combination_hash
        from (
            select {{ combination_hash(columns) }} as combination_hash
            from {{ relation }}
        ) as hash_values
    ) as sorted_hashes
    where combination_hash = next_combination_hash
{%- endmacro %}
