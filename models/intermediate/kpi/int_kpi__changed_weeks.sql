-- The ISO weeks an incremental run must recompute in the weekly KPI marts: every week holding a business date
-- of a changed transaction, before or after the change. A weekly KPI row depends only on the sale lines of its
-- week, so deleting these weeks and inserting them again gives the rows a full rebuild would give.
with

changed_transactions as (
    select * from {{ ref('int_core__changed_transactions') }}
),

final as (
    select distinct {{ kpi_week_start('business_date') }} as week_start
    from changed_transactions
    where business_date is not null
)

select * from final
