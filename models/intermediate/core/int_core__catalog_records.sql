-- Every catalog row with its outcome: quarantined (missing_field, invalid_timestamp, invalid_gtin),
-- excluded (superseded_version: an older or earlier row of the same GTIN-14) or loaded (one per GTIN-14).

with

products as (
    select * from {{ ref('stg_catalog__products') }}
),

validated as (
    select
        *,
        case
            when has_missing_field then 'missing_field'
            when has_invalid_timestamp then 'invalid_timestamp'
            when not is_valid_gtin then 'invalid_gtin'
        end as quarantine_reason
    from products
),

ranked as (
    select
        *,
        row_number() over (
            partition by quarantine_reason, gtin
            order by updated_at desc, row_order desc
        ) as version_rank
    from validated
),

final as (
    select
        source,
        source_file,
        row_order,
        record_ref,
        gtin,
        product_name,
        brand,
        manufacturer,
        category_l1,
        category_l2,
        category_l3,
        pack_size,
        updated_at,
        case
            when quarantine_reason is not null then 'quarantined'
            when version_rank > 1 then 'excluded'
            else 'loaded'
        end as outcome,
        case
            when quarantine_reason is not null then quarantine_reason
            when version_rank > 1 then 'superseded_version'
        end as reason
    from ranked
)

select * from final
