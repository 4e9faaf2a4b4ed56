package io.sinkron.fuzz;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import org.springframework.test.context.TestContextManager;

/**
 * Gives a jqwik container what Spring's JUnit Jupiter extension gives a Jupiter test class: its
 * {@code @SpringBootTest} context (from Spring's context cache, so shared with Jupiter tests of the
 * same configuration) and injected fields such as {@code @LocalServerPort}.
 */
public final class SpringTestContext implements AroundPropertyHook {

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property)
            throws Exception {
        new TestContextManager(context.containerClass()).prepareTestInstance(context.testInstance());
        return property.execute();
    }

    /** Runs before the other hooks, so that they and {@code @BeforeProperty} methods see the injected fields. */
    @Override
    public int aroundPropertyProximity() {
        return -100;
    }

    /** Registered on a test class, it applies to the properties of that class. */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.DIRECT_DESCENDANTS;
    }
}
