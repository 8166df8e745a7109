{{ config(materialized='table') }}
-- The transactions an incremental run must re-validate (macros/landing/incremental.sql): those with a
-- record in int_core__changed_records (new, re-delivered or gone files, erasure flips, reference changes).
-- Records without a transaction id are grouped by file (transaction_id null, source_file set). source_file: the
-- raw files of the transaction's records, before and after the change (int_core__sales_records reads only the
-- staged rows of these files). shopper_key:
-- the shoppers of these records, before and after the change (dim_shoppers recomputes them); business_date:
-- their dates, before and after the change (the weekly KPI marts recompute those weeks).
-- Empty when int_core__sales_records is built from scratch (full refresh or first run).
{%- set previous = previous_state_relation('int_core__sales_records') %}

with

changed_records as (
    select * from {{ ref('int_core__changed_records') }}
),

{% if previous is not none %}
    changed_transaction_ids as (
        select distinct
            retailer,
            transaction_id
        from changed_records
        where transaction_id is not null
    ),

    -- the other records of these transactions, from files that did not change
    unchanged_records as (
        select
            previous_records.retailer,
            previous_records.transaction_id,
            previous_records.source_file,
            previous_records.shopper_key,
            previous_records.business_date
        from {{ previous }} as previous_records
        inner join changed_transaction_ids
            on
                previous_records.retailer = changed_transaction_ids.retailer
                and previous_records.transaction_id = changed_transaction_ids.transaction_id
    ),
{% endif %}

touched_records as (
    select
        retailer,
        transaction_id,
        source_file,
        shopper_key,
        business_date
    from changed_records
    {%- if previous is not none %}

        union all

        select
            retailer,
            transaction_id,
            source_file,
            shopper_key,
            business_date
        from unchanged_records
    {%- endif %}
),

final as (
    select distinct
        retailer,
        transaction_id,
        source_file,
        shopper_key,
        business_date
    from touched_records
)

select * from final
