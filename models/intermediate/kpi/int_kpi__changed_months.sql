-- The calendar months holding a business date of a changed transaction, before or after the change: the
-- monthly KPI marts that are incremental recompute the months that depend on them.
with

changed_transactions as (
    select * from {{ ref('int_core__changed_transactions') }}
),

final as (
    select distinct {{ kpi_month_start('business_date') }} as month_start
    from changed_transactions
    where business_date is not null
)

select * from final
