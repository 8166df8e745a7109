-- dq_reconciliation.rows_loaded equals the rows of fct_sales_lines, per sales source.

with

reconciliation as (
    select * from {{ ref('dq_reconciliation') }}
),

sales_lines as (
    select * from {{ ref('fct_sales_lines') }}
),

published as (
    select
        {{ sale_source('retailer') }} as source,
        count(*) as n_lines
    from sales_lines
    group by retailer
),

final as (
    select
        reconciliation.source,
        reconciliation.rows_loaded,
        coalesce(published.n_lines, 0) as n_lines
    from reconciliation
    left join published
        on reconciliation.source = published.source
    where
        reconciliation.source <> 'catalog_products'
        and reconciliation.rows_loaded <> coalesce(published.n_lines, 0)
)

select * from final
