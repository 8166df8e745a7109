-- One row: a fingerprint of the reference data every sale record is validated against (GAMMA sku_map, the
-- store codes, the loaded catalog GTINs). When it changes, an incremental run re-validates every record.

with

sku_map as (
    select * from {{ ref('stg_gamma__sku_map') }}
),

stores as (
    select * from {{ ref('stg_stores__stores') }}
),

catalog_records as (
    select * from {{ ref('int_core__catalog_records') }}
),

reference_entries as (
    select
        {{ dbt.concat([
            "'sku:'",
            "coalesce(sku, '')",
            "'='",
            "coalesce(gtin_raw, '')",
            "'@'",
            "cast(row_order as " ~ dbt.type_string() ~ ")",
        ]) }} as entry
    from sku_map

    union all

    select {{ dbt.concat(["'store:'", 'store_code']) }} as entry
    from stores
    where store_code is not null

    union all

    select {{ dbt.concat(["'product:'", 'gtin']) }} as entry
    from catalog_records
    where outcome = 'loaded'
),

final as (
    select
        {{ dbt.hash(
            "coalesce(" ~ sorted_listagg('entry', "'|'", 'entry') ~ ", '')"
        ) }} as reference_version
    from reference_entries
)

select * from final
