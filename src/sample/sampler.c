/*
 * sampler.c -- design registry and the helpers every design shares.
 */
#include "sample/sampler.h"

#include <string.h>

const struct ladle_sampler_ops *ladle_sampler_for(ladle_design d)
{
    switch (d) {
    case LADLE_DESIGN_BERNOULLI: return &ladle_sampler_bernoulli;
    case LADLE_DESIGN_BOTTOMK: return &ladle_sampler_bottomk;
    case LADLE_DESIGN_HEAD: return &ladle_sampler_head;
    case LADLE_DESIGN_SYSTEMATIC: return &ladle_sampler_systematic;
    default: return NULL;
    }
}

ladle_status ladle_sampler_init(struct ladle_sampler *s, const struct ladle_sampler_ops *ops,
                                const struct ladle_config *cfg, struct ladle_error *err)
{
    memset(s, 0, sizeof *s);
    s->ops = ops;
    s->cfg = cfg;
    return ops->create ? ops->create(s, err) : LADLE_OK;
}

void ladle_sampler_destroy(struct ladle_sampler *s)
{
    if (s->ops && s->ops->destroy)
        s->ops->destroy(s);
    s->state = NULL;
}
