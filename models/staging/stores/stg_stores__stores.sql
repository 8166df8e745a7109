-- depends_on: {{ source('stores', 'stores') }}
{%- set columns = [
    'store_code', 'retailer', 'store_name', 'format', 'latitude', 'longitude', 'postal_code', 'city', 'opened_on',
] %}

with

source as (
    select * from {{ read_landing_csv('stores/stores.csv', columns, ordered=true) }}
),

final as (
    select
        -- lineage
        source_file,
        row_order,

        -- ids
        {{ clean_text('store_code') }} as store_code,
        upper({{ clean_text('retailer') }}) as retailer,

        -- strings
        {{ clean_text('store_name') }} as store_name,
        lower({{ clean_text('format') }}) as format,
        {{ clean_text('postal_code') }} as postal_code,
        {{ clean_text('city') }} as city,

        -- coordinates
        {{ try_cast_as("replace(trim(latitude), ',', '.')", 'double') }} as latitude,
        {{ try_cast_as("replace(trim(longitude), ',', '.')", 'double') }} as longitude,

        -- dates
        {{ try_cast_as('trim(opened_on)', 'date') }} as opened_on
    from source
)

select * from final
