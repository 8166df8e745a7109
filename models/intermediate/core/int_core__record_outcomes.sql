{{ config(materialized='view') }}
-- One row per raw record of every reconciled source (sales and catalog) with its outcome and reason:
-- the one place dq_quarantine, dq_exclusions and dq_reconciliation derive from.
-- A sale record's source name and reference (docs/CONVENTIONS.md) are derived here from its retailer and key, not
-- stored in int_core__sales_records: a text unique to each of millions of records costs a write per row at every
-- full build, and only the few records not loaded need their reference.

with

sales_records as (
    select * from {{ ref('int_core__sales_records') }}
),

catalog_records as (
    select * from {{ ref('int_core__catalog_records') }}
),

final as (
    select
        {{ sale_source('retailer') }} as source,
        source_file,
        case
            -- BETA: a line that is not a JSON object (malformed_json, the first rule, so always its reason) or an
            -- object without items is referenced by its line
            when retailer = 'BETA' and (reason = 'malformed_json' or line_number is null)
                then {{ dbt.concat(["'line '", "cast(row_order as " ~ dbt.type_string() ~ ")"]) }}
            -- <transaction>/<line> as delivered: ALPHA keeps its ligne text where the number does not spell it
            else {{ dbt.concat([
                "coalesce(transaction_id, '')",
                "'/'",
                "coalesce(line_number_as_delivered, cast(line_number as " ~ dbt.type_string() ~ "), '')",
            ]) }}
        end as record_ref,
        {{ sales_record_outcome('reason') }} as outcome,
        reason,
        retailer,
        transaction_id,
        line_number,
        row_order
    from sales_records

    union all

    select
        source,
        source_file,
        record_ref,
        outcome,
        reason,
        cast(null as {{ dbt.type_string() }}) as retailer,
        cast(null as {{ dbt.type_string() }}) as transaction_id,
        cast(null as {{ dbt.type_int() }}) as line_number,
        cast(null as {{ dbt.type_bigint() }}) as row_order
    from catalog_records
)

select * from final
