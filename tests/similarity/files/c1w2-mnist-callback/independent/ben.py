# %% create_and_compile_model
def create_and_compile_model():
    """Return a compiled dense classifier for 28x28 images with 10 softmax outputs."""
    # YOUR CODE HERE
    model = tf.keras.Sequential()
    model.add(tf.keras.Input(shape=(28, 28)))
    model.add(tf.keras.layers.Flatten())
    model.add(tf.keras.layers.Dense(128, activation="relu"))
    model.add(tf.keras.layers.Dropout(0.2))
    model.add(tf.keras.layers.Dense(10, activation="softmax"))
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    return model
# %% EarlyStoppingCallback
class EarlyStoppingCallback(tf.keras.callbacks.Callback):
    """Stops training once the epoch's training accuracy reaches 99%."""

    def on_epoch_end(self, epoch, logs=None):
        # YOUR CODE HERE
        logs = logs or {}
        acc = logs.get("accuracy", 0)
        if acc >= 0.99:
            self.model.stop_training = True
            print("\nReached 99% accuracy so cancelling training!")
# %% train_mnist
def train_mnist(training_images, training_labels):
    """Fit a new model for up to 10 epochs with the callback; return the History."""
    # YOUR CODE HERE
    model = create_and_compile_model()
    history = model.fit(
        x=training_images,
        y=training_labels,
        epochs=10,
        callbacks=[EarlyStoppingCallback()],
        verbose=1,
    )
    return history
