-- No published core table holds a row about a shopper who asked to be forgotten.

with

erased_shoppers as (
    select * from {{ ref('int_core__erased_shoppers') }}
),

published_keys as (
    select
        'fct_sales_lines' as table_name,
        shopper_key
    from {{ ref('fct_sales_lines') }}
    union all
    select
        'dim_shoppers' as table_name,
        shopper_key
    from {{ ref('dim_shoppers') }}
    union all
    select
        'fct_campaign_assignments' as table_name,
        shopper_key
    from {{ ref('fct_campaign_assignments') }}
    union all
    select
        'fct_campaign_redemptions' as table_name,
        shopper_key
    from {{ ref('fct_campaign_redemptions') }}
),

final as (
    select
        published_keys.table_name,
        published_keys.shopper_key
    from published_keys
    inner join erased_shoppers
        on published_keys.shopper_key = erased_shoppers.shopper_key
)

select * from final
