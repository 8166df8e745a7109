-- One row per valid sale line of every retailer (PUBLISHED.md, shared schema).

with

sales_records as (
    select * from {{ ref('int_core__sales_records') }}
),

final as (
    select
        retailer,
        store_code,
        transaction_id,
        line_number,
        shopper_key,
        gtin,
        business_date,
        sold_at_utc,
        units,
        net_amount_eur,
        discount_eur,
        is_promo,
        campaign_id,
        source_file
    from sales_records
    where outcome = 'loaded'
)

select * from final
