-- depends_on: {{ source('gamma', 'sku_map') }}

with

source as (
    select * from {{ read_landing_csv('gamma/sku_map.csv', ['sku', 'gtin'], ordered=true) }}
),

final as (
    select
        source_file,
        row_order,
        {{ clean_text('sku') }} as sku,
        {{ clean_text('gtin') }} as gtin_raw,
        {{ gtin_to_14('gtin') }} as gtin,
        {{ is_valid_gtin14(gtin_to_14('gtin')) }} as is_valid_gtin
    from source
)

select * from final
