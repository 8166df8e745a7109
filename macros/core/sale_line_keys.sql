{#- Post-hook of int_core__sales_records: fails the run when two loaded records share a sale-line key, among the
    records the run wrote (all of them in a full build; in an incremental run those of the changed transactions).
    The failure aborts the run's transaction, so its delete and insert are rolled back and the table keeps its
    previous state: no committed state of the table ever holds a repeated key, even after a failed run or a
    `dbt run` without tests. That is what makes the incremental check exact: a key includes its transaction, a run
    rewrites whole transactions, and the transactions it did not rewrite were checked when they were written.
    It replaces, on DuckDB, the unique test of fct_sales_lines, which re-read all of history every day (8 s of the
    100M incremental day, which every downstream model waited for). Other adapters rebuild the table whole and
    outside a transaction: there the data test stays, and this hook does nothing. -#}
{% macro assert_unique_loaded_sale_lines(changed_relation) -%}
    {{ return(adapter.dispatch('assert_unique_loaded_sale_lines', 'promo_factory')(changed_relation)) }}
{%- endmacro %}

{% macro default__assert_unique_loaded_sale_lines(changed_relation) -%}
    select 1 as checked_by_the_unique_test_of_fct_sales_lines
{%- endmacro %}

{% macro duckdb__assert_unique_loaded_sale_lines(changed_relation) -%}
    {%- set key_columns = ['retailer', 'transaction_id', 'line_number'] %}
    {%- set written_lines -%}
        (
            select {{ key_columns | join(', ') }}
            from {{ this }}
            where
                outcome = 'loaded'
                {%- if core_is_incremental_run() %}
                and (retailer, transaction_id) in (
                    select retailer, transaction_id
                    from {{ changed_relation }}
                    where transaction_id is not null
                )
                {%- endif %}
        ) as written_lines
    {%- endset %}
    select
        case
            when count(*) > 0 then error(
                '{{ this.identifier }}: ' || count(*) || ' sale-line key(s) (retailer, transaction_id, line_number)'
                || ' held by more than one loaded record, e.g. ' || min(retailer || ' / ' || transaction_id || ' / '
                || line_number) || '; the run was rolled back'
            )
        end as repeated_keys
    from ({{ test_unique_combination_of_columns(written_lines, key_columns) }}) as repeated_sale_line_keys
{%- endmacro %}
