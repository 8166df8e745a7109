{{ config(materialized='view') }}
-- One row per raw record of every reconciled source (sales and catalog) with its outcome and reason:
-- the one place dq_quarantine, dq_exclusions and dq_reconciliation derive from.

with

sales_records as (
    select * from {{ ref('int_core__sales_records') }}
),

catalog_records as (
    select * from {{ ref('int_core__catalog_records') }}
),

final as (
    select
        source,
        source_file,
        record_ref,
        outcome,
        reason
    from sales_records

    union all

    select
        source,
        source_file,
        record_ref,
        outcome,
        reason
    from catalog_records
)

select * from final
