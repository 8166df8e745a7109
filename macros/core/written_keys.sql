{#- Post-hooks that check a model's key as the model writes it, in place of a unique data test that re-read the whole
    table every day (the sale lines: 8 s of the 100M incremental day, which every downstream model waited for).
    The check covers the rows the run wrote: every row in a full build; in an incremental run the rows it rewrote
    (the model deletes and rewrites whole transactions, or whole business dates). A repeated key fails the run with
    the number of repeated keys and one of them, and the failure aborts the run's transaction: its delete and insert
    are rolled back. So no committed state of the table holds a repeated key, whatever earlier runs did (a failed
    run, a `dbt run` without tests, a full refresh), and that is what makes the incremental check exact: the key
    includes the unit the run rewrites, and the units it did not rewrite were checked when they were written.
    Other adapters rebuild these tables whole and outside a transaction: there the models keep their unique data
    test and the hooks do nothing. -#}

{#- int_core__sales_records: the sale-line key of its loaded records (one row of fct_sales_lines per key), over the
    transactions its pre-hook deleted (a loaded record always has a transaction id, so not the files of records
    without one). -#}
{% macro assert_unique_loaded_sale_lines(changed_transactions) -%}
    {{ return(assert_unique_written_keys(
        ['retailer', 'transaction_id', 'line_number'],
        is_loaded_sales_record(),
        changed_transactions_condition(changed_transactions, with_files=false),
    )) }}
{%- endmacro %}

{#- A day table under the shopper features, over the business dates its pre-hook deleted
    (macros/features/feature_incremental.sql). -#}
{% macro assert_unique_day_rows(key_columns, changed_transactions) -%}
    {{ return(assert_unique_written_keys(
        key_columns,
        none,
        changed_business_dates_condition(changed_transactions),
    )) }}
{%- endmacro %}

{#- key_columns: the key; keyed_rows: the condition of the rows that carry it (none: every row); rewritten_rows: the
    condition of the rows an incremental run rewrote. -#}
{% macro assert_unique_written_keys(key_columns, keyed_rows, rewritten_rows) -%}
    {{ return(adapter.dispatch('assert_unique_written_keys', 'promo_factory')(key_columns, keyed_rows, rewritten_rows)) }}
{%- endmacro %}

{% macro default__assert_unique_written_keys(key_columns, keyed_rows, rewritten_rows) -%}
    select 1 as checked_by_the_unique_data_test
{%- endmacro %}

{% macro duckdb__assert_unique_written_keys(key_columns, keyed_rows, rewritten_rows) -%}
    {%- set conditions = [keyed_rows] if keyed_rows else [] %}
    {%- if core_is_incremental_run() %}{% do conditions.append(rewritten_rows) %}{% endif %}
    {%- set written_keys -%}
        (
            select {{ key_columns | join(', ') }}
            from {{ this }}
            {%- if conditions %}
            where {{ conditions | join(' and ') }}
            {%- endif %}
        ) as written_keys
    {%- endset %}
    select
        case
            when count(*) > 0 then error(
                '{{ this.identifier }}: ' || count(*) || ' key(s) ({{ key_columns | join(", ") }}) held by more than'
                || ' one written row, e.g. ' || min(concat_ws(' / ', {{ key_columns | join(', ') }}))
                || '; the run was rolled back'
            )
        end as repeated_keys
    from ({{ test_unique_combination_of_columns(written_keys, key_columns) }}) as repeated_keys
{%- endmacro %}
