{#- The reference data int_core__sales_records was validated against, kept beside it on DuckDB
    (`int_core__sales_records__reference_version`: the one row of int_core__reference_version, written by its
    post-hook in the model's own transaction). An incremental run re-validates every record when the reference data
    changed since (int_core__changed_records). Kept on every record, the fingerprint cost a write per record at
    each full build. -#}

{% macro validated_reference_relation(relation) -%}
    {{ return(side_table_relation(relation, 'reference_version')) }}
{%- endmacro %}

{#- Post-hook of int_core__sales_records. -#}
{% macro record_validated_reference(reference_version) -%}
    {{ return(adapter.dispatch('record_validated_reference', 'promo_factory')(reference_version)) }}
{%- endmacro %}

{% macro default__record_validated_reference(reference_version) -%}
    select 1 as no_validated_reference_kept
{%- endmacro %}

{% macro duckdb__record_validated_reference(reference_version) -%}
    create or replace table {{ validated_reference_relation(this) }} as
    select reference_version from {{ reference_version }}
{%- endmacro %}

{#- The validated reference of `previous` (a relation of int_core__sales_records), or none when it keeps none (other
    adapters, or the table is gone): every record is then re-validated. -#}
{% macro previous_validated_reference(previous) -%}
    {{ return(adapter.dispatch('previous_validated_reference', 'promo_factory')(previous)) }}
{%- endmacro %}

{% macro default__previous_validated_reference(previous) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__previous_validated_reference(previous) -%}
    {%- if not execute or previous is none -%}{{ return(none) }}{%- endif -%}
    {%- set validated = validated_reference_relation(previous) -%}
    {{ return(validated if warehouse_table_exists(validated) else none) }}
{%- endmacro %}
