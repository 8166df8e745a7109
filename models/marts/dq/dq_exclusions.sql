-- Records dropped by a documented rule, counted per source and reason.

with

record_outcomes as (
    select * from {{ ref('int_core__record_outcomes') }}
),

final as (
    select
        source,
        reason,
        cast(count(*) as bigint) as rows
    from record_outcomes
    where outcome = 'excluded'
    group by source, reason
)

select * from final
