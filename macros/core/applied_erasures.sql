{#- The erased shoppers int_core__sales_records applied in its last run, kept beside it on DuckDB
    (`int_core__sales_records__erased_shoppers`, written by its post-hook in the model's own transaction).

    An incremental run must re-validate the records whose erasure outcome flips: loaded records of a shopper who
    asked to be forgotten since, and erased_shopper records of a shopper whose request was withdrawn. Found by
    reading the shopper key of every record, that costs about 0.9 s of a 100M daily run in which nobody's request
    changed. With the set the records were computed against, only the difference with today's set matters: a
    loaded record's shopper was not in it (or the record would be excluded), an erased_shopper record's shopper was.
    int_core__changed_records reads the records of the shoppers in the difference alone, by their keys, and none
    when it is empty. Without the table (first run of this code, other adapters) it reads every record. -#}

{% macro applied_erasures_relation(relation) -%}
    {{ return(side_table_relation(relation, 'erased_shoppers')) }}
{%- endmacro %}

{#- Post-hook of int_core__sales_records: the erased shoppers its records were computed against. -#}
{% macro record_applied_erasures(erased_shoppers) -%}
    {{ return(adapter.dispatch('record_applied_erasures', 'promo_factory')(erased_shoppers)) }}
{%- endmacro %}

{% macro default__record_applied_erasures(erased_shoppers) -%}
    select 1 as no_applied_erasures_kept
{%- endmacro %}

{% macro duckdb__record_applied_erasures(erased_shoppers) -%}
    create or replace table {{ applied_erasures_relation(this) }} as
    select distinct shopper_key from {{ erased_shoppers }}
{%- endmacro %}

{#- The shoppers whose erasure changed since the records of `previous` were computed, as two lists
    {'added': [...], 'withdrawn': [...]}; none when that is unknown (no applied set: every record is read). -#}
{% macro erasure_changes(previous, erased_shoppers) -%}
    {{ return(adapter.dispatch('erasure_changes', 'promo_factory')(previous, erased_shoppers)) }}
{%- endmacro %}

{% macro default__erasure_changes(previous, erased_shoppers) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__erasure_changes(previous, erased_shoppers) -%}
    {%- if not execute or previous is none -%}{{ return(none) }}{%- endif -%}
    {%- set applied = applied_erasures_relation(previous) -%}
    {%- if not warehouse_table_exists(applied) -%}{{ return(none) }}{%- endif -%}
    {%- set changes = run_query(
        "select 'added' as change, shopper_key from " ~ erased_shoppers
        ~ " where shopper_key is not null and shopper_key not in (select shopper_key from " ~ applied
        ~ " where shopper_key is not null)"
        ~ " union all select 'withdrawn', shopper_key from " ~ applied
        ~ " where shopper_key is not null and shopper_key not in (select shopper_key from " ~ erased_shoppers
        ~ " where shopper_key is not null)") -%}
    {%- set lists = {'added': [], 'withdrawn': []} -%}
    {%- for row in changes.rows -%}
        {%- do lists[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{ return(lists) }}
{%- endmacro %}

{#- The condition of changed_records' erasure branch: `full_condition` (every record is read) when the changes are
    unknown or too many to list (max_listed_literals), else the listed shoppers by their keys (DuckDB filters them
    as the column is read), or nothing when none changed. -#}
{% macro erasure_change_condition(shopper_keys, full_condition) -%}
    {%- if shopper_keys is none or shopper_keys | length > max_listed_literals() -%}
        {{ full_condition }}
    {%- elif shopper_keys | length == 0 -%}
        1 = 0
    {%- else -%}
        shopper_key in ({{ landing_literal_list(shopper_keys) }})
    {%- endif -%}
{%- endmacro %}
