-- depends_on: {{ source('campaigns', 'redemptions') }}
{%- set columns = ['campaign_id', 'retailer', 'customer_ref', 'redeemed_at', 'transaction_ref', 'discount_eur'] %}

with

source as (
    select * from {{ read_landing_csv('campaigns/redemptions.csv', columns, ordered=true) }}
),

renamed as (
    select
        source_file,
        row_order,
        {{ clean_text('campaign_id') }} as campaign_id,
        upper({{ clean_text('retailer') }}) as retailer,
        {{ normalise_customer_ref_by_column('retailer', 'customer_ref') }} as customer_ref,
        {{ iso_text_to_utc('redeemed_at') }} as redeemed_at,
        {{ clean_text('transaction_ref') }} as transaction_id,
        {{ parse_decimal('discount_eur') }} as discount_eur
    from source
),

final as (
    select
        source_file,
        row_order,
        campaign_id,
        retailer,
        customer_ref,
        {{ shopper_key('retailer', 'customer_ref') }} as shopper_key,
        redeemed_at,
        transaction_id,
        discount_eur
    from renamed
)

select * from final
