-- One row per source: rows_read = rows_loaded + rows_excluded + rows_quarantined.

with

record_outcomes as (
    select * from {{ ref('int_core__record_outcomes') }}
),

-- every reconciled source has its row, even with no record (macros/core/sales_sources.sql, and the catalog)
sources as (
    {%- for sale_source in sales_sources() %}
        select '{{ sale_source.source }}' as source
        union all
    {%- endfor %}
    select 'catalog_products' as source
),

counted as (
    select
        source,
        count(*) as rows_read,
        sum(case when outcome = 'loaded' then 1 else 0 end) as rows_loaded,
        sum(case when outcome = 'excluded' then 1 else 0 end) as rows_excluded,
        sum(case when outcome = 'quarantined' then 1 else 0 end) as rows_quarantined
    from record_outcomes
    group by source
),

final as (
    select
        sources.source,
        cast(coalesce(counted.rows_read, 0) as bigint) as rows_read,
        cast(coalesce(counted.rows_loaded, 0) as bigint) as rows_loaded,
        cast(coalesce(counted.rows_excluded, 0) as bigint) as rows_excluded,
        cast(coalesce(counted.rows_quarantined, 0) as bigint) as rows_quarantined
    from sources
    left join counted
        on sources.source = counted.source
)

select * from final
