package io.sinkron.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Sets the tries of every fuzzing property: {@value #DEFAULT_TRIES} in the default build, which
 * keeps it within a few seconds per property, or {@code -Dsinkron.fuzz.tries=<n>} for a long run.
 */
public final class FuzzTries implements AroundPropertyHook {

    public static final String PROPERTY = "sinkron.fuzz.tries";
    public static final int DEFAULT_TRIES = 250;

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        context.attributes().setTries(Integer.getInteger(PROPERTY, DEFAULT_TRIES));
        return property.execute();
    }

    /** Registered on a test class, it applies to the properties of that class. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.DIRECT_DESCENDANTS;
    }
}
