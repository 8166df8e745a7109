-- depends_on: {{ source('campaigns', 'assignments') }}
{%- set columns = ['campaign_id', 'retailer', 'customer_ref', 'arm', 'assigned_at'] %}

with

source as (
    select * from {{ read_landing_csv('campaigns/assignments.csv', columns, ordered=true) }}
),

renamed as (
    select
        source_file,
        row_order,
        {{ clean_text('campaign_id') }} as campaign_id,
        upper({{ clean_text('retailer') }}) as retailer,
        {{ normalise_customer_ref_by_column('retailer', 'customer_ref') }} as customer_ref,
        lower({{ clean_text('arm') }}) as arm,
        {{ iso_text_to_utc('assigned_at') }} as assigned_at
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
        arm,
        assigned_at
    from renamed
)

select * from final
