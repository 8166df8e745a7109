-- Every raw record that could not be loaded, with a stable reason code (docs/CONVENTIONS.md).

with

record_outcomes as (
    select * from {{ ref('int_core__record_outcomes') }}
),

final as (
    select
        source,
        source_file,
        record_ref,
        reason
    from record_outcomes
    where outcome = 'quarantined'
)

select * from final
