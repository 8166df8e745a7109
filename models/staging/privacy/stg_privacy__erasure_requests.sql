-- depends_on: {{ source('privacy', 'erasure_requests') }}
{%- set columns = ['retailer', 'customer_ref', 'requested_at'] %}

with

source as (
    select * from {{ read_landing_csv('privacy/erasure_requests.csv', columns, ordered=true) }}
),

renamed as (
    select
        source_file,
        row_order,
        upper({{ clean_text('retailer') }}) as retailer,
        {{ normalise_customer_ref_by_column('retailer', 'customer_ref') }} as customer_ref,
        {{ iso_text_to_utc('requested_at') }} as requested_at
    from source
),

final as (
    select
        source_file,
        row_order,
        retailer,
        customer_ref,
        {{ shopper_key('retailer', 'customer_ref') }} as shopper_key,
        requested_at
    from renamed
)

select * from final
