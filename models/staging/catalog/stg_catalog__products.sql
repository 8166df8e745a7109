-- depends_on: {{ source('catalog', 'products') }}
{%- set columns = [
    'gtin', 'product_name', 'brand', 'manufacturer', 'category_l1', 'category_l2', 'category_l3',
    'pack_size', 'updated_at',
] %}

with

source as (
    select * from {{ read_landing_csv('catalog/products.csv', columns, ordered=true) }}
),

renamed as (
    select
        -- lineage
        source_file,
        row_order,
        coalesce(trim(gtin), '') as record_ref,

        -- ids
        {{ clean_text('gtin') }} as gtin_raw,
        {{ gtin_to_14('gtin') }} as gtin,

        -- strings
        {{ clean_text('product_name') }} as product_name,
        {{ normalise_brand('brand') }} as brand,
        {{ clean_text('manufacturer') }} as manufacturer,
        {{ clean_text('category_l1') }} as category_l1,
        {{ clean_text('category_l2') }} as category_l2,
        {{ clean_text('category_l3') }} as category_l3,
        {{ clean_text('pack_size') }} as pack_size,

        -- dates
        {{ clean_text('updated_at') }} as updated_at_text,
        {{ parse_timestamp('updated_at', '%Y-%m-%d %H:%M:%S') }} as updated_at
    from source
),

final as (
    select
        'catalog_products' as source,
        source_file,
        row_order,
        record_ref,
        gtin_raw,
        gtin,
        {{ is_valid_gtin14('gtin') }} as is_valid_gtin,
        product_name,
        brand,
        manufacturer,
        category_l1,
        category_l2,
        category_l3,
        pack_size,
        updated_at,
        (gtin_raw is null or updated_at_text is null) as has_missing_field,
        (updated_at_text is not null and updated_at is null) as has_invalid_timestamp
    from renamed
)

select * from final
