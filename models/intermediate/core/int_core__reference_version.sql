-- One row: a fingerprint of the reference data every sale record is validated against (GAMMA sku_map, the
-- store codes, the loaded catalog GTINs) and of the product and store attributes the incremental marts group
-- by (brand, categories; retailer, format, postal code). When it changes, an incremental run re-validates
-- every record, and the KPI marts built by period recompute every period.

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

    select {{ dbt.concat([
        "'store:'", 'store_code', "'='", "coalesce(retailer, '')", "'/'", "coalesce(format, '')", "'/'",
        "coalesce(postal_code, '')",
    ]) }} as entry
    from stores
    where store_code is not null

    union all

    select {{ dbt.concat([
        "'product:'", 'gtin', "'='", "coalesce(brand, '')", "'/'", "coalesce(category_l1, '')", "'/'",
        "coalesce(category_l2, '')", "'/'", "coalesce(category_l3, '')",
    ]) }} as entry
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
